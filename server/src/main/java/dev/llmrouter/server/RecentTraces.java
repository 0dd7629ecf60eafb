package dev.llmrouter.server;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The last {@link #CAPACITY} traces this server recorded, by id: what feedback may refer to, with the route
 * and model that answered once the request is finished (feedback metrics are by route and model).
 */
final class RecentTraces {
    static final int CAPACITY = 100_000;

    /**
     * Where a request went; "unknown" until it finished. {@code success}: it still counts as a successful task
     * (served, not the held answer of a failed escalation, not yet rated down by feedback).
     */
    record Served(String route, String model, boolean success) {
        static final Served PENDING = new Served("unknown", "unknown", false);
    }

    private final Map<String, Served> traces = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Served> eldest) {
            return size() > CAPACITY;
        }
    };

    /** A request begins: feedback on it is accepted from now on. */
    synchronized void add(String id) {
        traces.put(id, Served.PENDING);
    }

    /** A request finished: where it went. */
    synchronized void served(String id, String route, String model, boolean success) {
        traces.replace(id, new Served(route, model, success));
    }

    /** A caller rated the request down: it no longer counts as a success; returns whether it did. */
    synchronized boolean ratedDown(String id) {
        Served s = traces.get(id);
        if (s == null || !s.success()) {
            return false;
        }
        traces.replace(id, new Served(s.route(), s.model(), false));
        return true;
    }

    synchronized Optional<Served> get(String id) {
        return Optional.ofNullable(traces.get(id));
    }
}
