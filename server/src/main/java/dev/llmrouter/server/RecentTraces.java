package dev.llmrouter.server;

import java.util.LinkedHashMap;
import java.util.Map;

/** The ids of the last {@link #CAPACITY} traces this server recorded: what feedback may refer to. */
final class RecentTraces {
    static final int CAPACITY = 100_000;

    private final Map<String, Boolean> ids = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CAPACITY;
        }
    };

    synchronized void add(String id) {
        ids.put(id, Boolean.TRUE);
    }

    synchronized boolean contains(String id) {
        return ids.containsKey(id);
    }
}
