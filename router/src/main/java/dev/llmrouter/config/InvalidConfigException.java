package dev.llmrouter.config;

import java.util.List;

/**
 * A catalog or policy was refused at admission. {@link #errors()} lists every problem found, each starting
 * with the exact path of the offending value, e.g. {@code routes[1].filter.max_input_price: expected a
 * number, got "cheap"}.
 */
public final class InvalidConfigException extends RuntimeException {
    private final List<String> errors;

    public InvalidConfigException(String what, List<String> errors) {
        super(what + " refused with " + errors.size() + (errors.size() == 1 ? " error" : " errors") + ":\n  "
                + String.join("\n  ", errors));
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
