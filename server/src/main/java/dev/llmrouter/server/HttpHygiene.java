package dev.llmrouter.server;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every request on either socket goes through, around the endpoints:
 *
 * <ul>
 *   <li>an id ({@code x-router-trace-id}, and {@code x-request-id} as the OpenAI SDKs read it) on every
 *       response, errors included; a routed request's trace takes the same id;
 *   <li>a closed connection after any response sent without reading the whole request body, or when either
 *       side said {@code Connection: close}: the bytes left unread are never taken for a next request;
 *   <li>a {@code Host} check on a socket that needs no key, so a web page cannot reach it through a DNS name
 *       that points at this machine;
 *   <li>at most {@code max} requests in progress from one client address (429 above it), when set;
 *   <li>errors Helidon answers before any endpoint runs (malformed framing, HTTP/1.0, oversized lines) in
 *       OpenAI's JSON shape, with an id, counted like the others.
 * </ul>
 */
final class HttpHygiene implements Filter {
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    /** Sends an error response: this filter answers itself, since an error thrown from a filter skips its end. */
    interface Responder {
        void send(ServerRequest req, ServerResponse res, ApiError error);
    }

    private final Optional<Set<String>> hosts;
    private final int maxPerClient;
    private final Responder responder;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    /**
     * @param hosts the {@code Host} names accepted, when checked: loopback names, the socket's own host and
     *     {@code server.allowed_hosts}
     * @param maxPerClient requests in progress from one client address, 0 for no limit
     */
    HttpHygiene(Optional<Set<String>> hosts, int maxPerClient, Responder responder) {
        this.hosts = hosts;
        this.maxPerClient = maxPerClient;
        this.responder = responder;
    }

    /** The names a socket bound to {@code bound} answers to without a key. */
    static Set<String> hostNames(String bound, List<String> allowed) {
        Set<String> names = new TreeSet<>(LOOPBACK_NAMES);
        names.add(bound.toLowerCase(Locale.ROOT));
        allowed.forEach(h -> names.add(h.toLowerCase(Locale.ROOT)));
        return Set.copyOf(names);
    }

    /** The id of the request being served (set by this filter). */
    static String id(ServerRequest req) {
        return req.context().get(RequestId.class).map(RequestId::value).orElseGet(HttpHygiene::newId);
    }

    private record RequestId(String value) {}

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String id = newId();
        req.context().register(new RequestId(id));
        res.header("x-router-trace-id", id);
        res.header("x-request-id", id);
        try {
            if (hostAllowed(req, res)) {
                limitPerClient(chain, req, res);
            }
        } finally {
            ConnectionGuard.requestDone();
        }
        // Helidon 4.5.0 otherwise keeps reading after such an answer, and takes the unread body for a request
        boolean unread = !req.content().consumed();
        if (unread
                || req.headers().containsToken(HeaderValues.CONNECTION_CLOSE)
                || res.headers().containsToken(HeaderValues.CONNECTION_CLOSE)) {
            throw new CloseConnectionException(
                    unread ? "response sent before the request body was read" : "connection close requested");
        }
    }

    /** Answers 403 to a {@code Host} this socket does not answer to, when it checks them. */
    private boolean hostAllowed(RoutingRequest req, RoutingResponse res) {
        if (hosts.isEmpty()) {
            return true;
        }
        String host = hostName(req.headers().first(HeaderNames.HOST).orElse(""));
        if (hosts.get().contains(host)) {
            return true;
        }
        responder.send(
                req,
                res,
                new ApiError(
                        403,
                        "permission_error",
                        "host_not_allowed",
                        "Host '" + abbreviated(host) + "' is not one this server answers to without a key: call it as"
                                + " localhost, list the name in server.allowed_hosts, or set keys",
                        List.of()));
        return false;
    }

    /** Answers 429 while {@code maxPerClient} requests from the same address are in progress, when set. */
    private void limitPerClient(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        InetAddress client = req.remotePeer().address() instanceof InetSocketAddress a ? a.getAddress() : null;
        if (maxPerClient <= 0 || client == null) {
            chain.proceed();
            return;
        }
        AtomicInteger count = inFlight.compute(client, (k, v) -> {
            AtomicInteger c = v == null ? new AtomicInteger() : v;
            c.incrementAndGet();
            return c;
        });
        try {
            if (count.get() > maxPerClient) {
                res.header("Retry-After", "1");
                responder.send(
                        req,
                        res,
                        new ApiError(
                                429,
                                "rate_limit_error",
                                "too_many_requests_from_client",
                                "more than " + maxPerClient + " requests in progress from your address"
                                        + " (server.limits.max_requests_per_client): wait for some to finish",
                                List.of()));
                return;
            }
            chain.proceed();
        } finally {
            inFlight.computeIfPresent(client, (k, v) -> v.decrementAndGet() == 0 ? null : v);
        }
    }

    /** Helidon's own error answers (before routing) in OpenAI's shape, with an id, counted. */
    static DirectHandlers directErrors(long maxBodyBytes, RouterMetrics metrics) {
        DirectHandler handler = (request, type, status, headers, message) -> {
            ApiError error = directError(type, status, message, maxBodyBytes);
            metrics.httpError(error.status(), error.code());
            String id = newId();
            return DirectHandler.TransportResponse.builder()
                    .status(Status.create(error.status()))
                    .headers(headers)
                    .header(HeaderNames.CONTENT_TYPE, "application/json")
                    .header(HeaderNames.create("x-router-trace-id"), id)
                    .header(HeaderNames.create("x-request-id"), id)
                    .keepAlive(false)
                    .entity(error.body())
                    .build();
        };
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }

    private static ApiError directError(DirectHandler.EventType type, Status status, String message, long limit) {
        String detail = message == null || message.isBlank() ? "" : ": " + abbreviated(message);
        return switch (status.code()) {
            case 413 -> ApiError.tooLarge(limit);
            case 414 ->
                new ApiError(
                        414,
                        "invalid_request_error",
                        "uri_too_long",
                        "the request line is too long" + detail,
                        List.of());
            case 431 ->
                new ApiError(
                        431,
                        "invalid_request_error",
                        "headers_too_large",
                        "the headers are too large" + detail,
                        List.of());
            case 505 ->
                new ApiError(
                        505,
                        "invalid_request_error",
                        "http_version_not_supported",
                        "this server speaks HTTP/1.1: send the request as HTTP/1.1 (curl --http1.1)",
                        List.of());
            case 501 ->
                new ApiError(
                        400,
                        "invalid_request_error",
                        "bad_framing",
                        "Transfer-Encoding must be exactly 'chunked' (or send Content-Length)" + detail,
                        List.of());
            default ->
                type == DirectHandler.EventType.INTERNAL_ERROR || status.code() >= 500
                        ? new ApiError(status.code(), "server_error", "internal_error", "the server failed", List.of())
                        : new ApiError(
                                status.code() == 400 ? 400 : status.code(),
                                "invalid_request_error",
                                "bad_request",
                                "malformed HTTP request" + detail,
                                List.of());
        };
    }

    private static String hostName(String header) {
        String h = header.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    private static String abbreviated(String text) {
        return text.length() <= 200 ? text : text.substring(0, 199) + "…";
    }
}
