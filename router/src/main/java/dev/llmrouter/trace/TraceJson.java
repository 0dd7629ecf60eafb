package dev.llmrouter.trace;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.llmrouter.request.Json;

/** The JSON form of {@link DecisionTrace}: snake_case names, enums in lower case, absent values left out. */
public final class TraceJson {
    private static final ObjectMapper MAPPER = Json.MAPPER
            .copy()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private TraceJson() {}

    /** One line of JSON, as trace logs store it. */
    public static String toJson(DecisionTrace trace) {
        try {
            return MAPPER.writeValueAsString(trace);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a decision trace could not be serialised", e);
        }
    }

    /** Indented, for people. */
    public static String toPrettyJson(DecisionTrace trace) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(trace);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a decision trace could not be serialised", e);
        }
    }

    /** Reads a trace back from a parsed JSON tree (a trace log line's {@code trace}); errors as {@link #fromJson}. */
    public static DecisionTrace fromTree(com.fasterxml.jackson.databind.JsonNode tree) {
        try {
            return MAPPER.treeToValue(tree, DecisionTrace.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a decision trace: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a trace back, for replay; throws {@link IllegalArgumentException} naming what is wrong. */
    public static DecisionTrace fromJson(String json) {
        try {
            return MAPPER.readValue(json, DecisionTrace.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a decision trace: " + e.getOriginalMessage(), e);
        }
    }
}
