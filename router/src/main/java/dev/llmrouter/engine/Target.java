package dev.llmrouter.engine;

import java.util.Objects;

/**
 * What the caller pinned for one request: nothing (the policy's routes decide), one route of the policy by
 * name, or one catalog model, which the matching route's filters still judge.
 */
public sealed interface Target {
    /** The policy decides: the first route that matches, the start the cascade picks. */
    Target AUTO = new Auto();

    record Auto() implements Target {}

    /** The route of this name decides, whatever its match says. */
    record OfRoute(String name) implements Target {
        public OfRoute {
            Objects.requireNonNull(name, "name");
        }
    }

    /** Only this model may serve; a filter that rejects it refuses the request with its reason. */
    record OfModel(String id) implements Target {
        public OfModel {
            Objects.requireNonNull(id, "id");
        }
    }
}
