package dev.llmrouter.config;

import java.util.ArrayList;
import java.util.List;

/** Collects admission errors so that one pass reports all of them, not just the first. */
public final class Problems {
    private final List<String> errors = new ArrayList<>();

    public void add(String path, String message) {
        errors.add((path.isEmpty() ? "(top level)" : path) + ": " + message);
    }

    public int count() {
        return errors.size();
    }

    public boolean isEmpty() {
        return errors.isEmpty();
    }

    public List<String> list() {
        return List.copyOf(errors);
    }

    /** Throws when anything was found; {@code what} names the document, e.g. {@code policy config/policy.yaml}. */
    public void throwIfAny(String what) {
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(what, errors);
        }
    }
}
