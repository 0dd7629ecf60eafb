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

    /** Where a request went; "unknown" until it finished. */
    record Served(String route, String model) {
        static final Served PENDING = new Served("unknown", "unknown");
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
    synchronized void served(String id, String route, String model) {
        traces.replace(id, new Served(route, model));
    }

    synchronized Optional<Served> get(String id) {
        return Optional.ofNullable(traces.get(id));
    }
}
