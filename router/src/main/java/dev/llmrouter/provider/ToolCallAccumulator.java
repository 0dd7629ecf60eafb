package dev.llmrouter.provider;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Assembles tool calls that arrive in pieces across stream events, keyed by their index: the id and name
 * are taken as they come, argument fragments are concatenated in order. Not thread-safe; one per stream.
 */
final class ToolCallAccumulator {
    private final TreeMap<Integer, Builder> calls = new TreeMap<>();

    /** Records a piece of the call at {@code index}; empty strings leave the field as it was. */
    void add(int index, String id, String name, String argumentsFragment) {
        Builder call = calls.computeIfAbsent(index, i -> new Builder());
        if (!id.isEmpty()) {
            call.id = id;
        }
        if (!name.isEmpty()) {
            call.name = name;
        }
        call.arguments.append(argumentsFragment);
    }

    /** Arguments to use for the call at {@code index} when no fragment arrives (Anthropic's initial input). */
    void defaultArguments(int index, String arguments) {
        calls.computeIfAbsent(index, i -> new Builder()).defaultArguments = arguments;
    }

    boolean contains(int index) {
        return calls.containsKey(index);
    }

    /** The id of the call at {@code index}, empty when unknown. */
    String idAt(int index) {
        Builder call = calls.get(index);
        return call == null ? "" : call.id;
    }

    /** The highest index seen, or -1 before the first call. */
    int lastIndex() {
        return calls.isEmpty() ? -1 : calls.lastKey();
    }

    /** The OpenAI-shaped tool calls in index order; a call without an id gets {@code call_<index>}. */
    List<JsonNode> toolCalls() {
        List<JsonNode> result = new ArrayList<>();
        calls.forEach((index, call) -> {
            String arguments = call.arguments.isEmpty() ? call.defaultArguments : call.arguments.toString();
            String id = call.id.isEmpty() ? "call_" + index : call.id;
            result.add(ResponseSupport.toolCall(id, call.name, arguments));
        });
        return result;
    }

    private static final class Builder {
        private String id = "";
        private String name = "";
        private String defaultArguments = "{}";
        private final StringBuilder arguments = new StringBuilder();
    }
}
