package dev.llmrouter.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.classify.Classification;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.provider.ScriptedProvider;
import dev.llmrouter.provider.ScriptedProvider.Reply;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Json;
import dev.llmrouter.request.Message;
import dev.llmrouter.trace.DecisionTrace.Outcome;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One row of a decision table: a policy, a request, a fixed classification and scripted provider replies,
 * then what must happen. Its {@link #toString()} is the row's name in test reports.
 */
public final class Scenario {
    /** Predicted success per tier: easy starts at tier 1, medium at tier 2, hard at tier 3 (floor 0.7). */
    public static final Classification EASY = FixedClassifier.classification("knowledge", 0.90, 0.95, 0.97);

    public static final Classification MEDIUM = FixedClassifier.classification("reasoning", 0.50, 0.80, 0.90);
    public static final Classification HARD = FixedClassifier.classification("math", 0.20, 0.50, 0.85);

    private final String name;
    private String policy = "test-policy.yaml";
    private String prompt = "Please summarise the notes of the weekly meeting.";
    private boolean image;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private String riskClass = "";
    private OptionalInt maxTokens = OptionalInt.empty();
    private boolean stream;
    private final Map<String, JsonNode> parameters = new LinkedHashMap<>();
    private Classification classification = EASY;
    private final Map<String, List<Reply>> scripts = new LinkedHashMap<>();

    Optional<String> served = Optional.empty();
    List<String> called = List.of();
    Outcome outcome = Outcome.SERVED;
    boolean escalated;
    List<String> roles = List.of();
    List<Duration> sleeps = List.of();

    private Scenario(String name) {
        this.name = name;
    }

    public static Scenario scenario(String name) {
        return new Scenario(name);
    }

    public Scenario policy(String resource) {
        policy = resource;
        return this;
    }

    public Scenario prompt(String text) {
        prompt = text;
        return this;
    }

    public Scenario withImage() {
        image = true;
        return this;
    }

    public Scenario app(String app) {
        metadata.put("app", app);
        return this;
    }

    public Scenario metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public Scenario risk(String name) {
        riskClass = name;
        return this;
    }

    public Scenario maxTokens(int tokens) {
        maxTokens = OptionalInt.of(tokens);
        return this;
    }

    public Scenario streaming() {
        stream = true;
        return this;
    }

    /** A request parameter given as JSON, e.g. {@code param("response_format", "{\"type\":\"json_object\"}")}. */
    public Scenario param(String name, String json) {
        parameters.put(name, json(json));
        return this;
    }

    public Scenario wantsJson() {
        return param("response_format", "{\"type\":\"json_object\"}");
    }

    public Scenario withTools() {
        return param("tools", "[{\"type\":\"function\",\"function\":{\"name\":\"lookup\"}}]");
    }

    public Scenario classified(Classification value) {
        classification = value;
        return this;
    }

    public Scenario script(String model, Reply... replies) {
        scripts.computeIfAbsent(model, m -> new ArrayList<>()).addAll(List.of(replies));
        return this;
    }

    /** Served by {@code model} after calling {@code calledCsv} (comma separated) with attempt roles {@code rolesCsv}. */
    public Scenario serves(String model, String calledCsv, String rolesCsv) {
        served = Optional.of(model);
        called = csv(calledCsv);
        roles = csv(rolesCsv);
        outcome = Outcome.SERVED;
        return this;
    }

    /** The gate sent {@code model}'s answer up, every stronger attempt failed, and that answer was served. */
    public Scenario servesUnescalated(String model, String calledCsv, String rolesCsv) {
        serves(model, calledCsv, rolesCsv);
        outcome = Outcome.SERVED_UNESCALATED;
        escalated = true;
        return this;
    }

    public Scenario fails(Outcome how, String calledCsv, String rolesCsv) {
        served = Optional.empty();
        called = csv(calledCsv);
        roles = csv(rolesCsv);
        outcome = how;
        return this;
    }

    public Scenario refused() {
        return fails(Outcome.NO_ELIGIBLE_MODEL, "", "");
    }

    public Scenario escalated() {
        escalated = true;
        return this;
    }

    public Scenario sleeps(Duration... waits) {
        sleeps = List.of(waits);
        return this;
    }

    public ChatRequest request() {
        Message message = image ? imageMessage(prompt) : Message.of("user", prompt);
        return new ChatRequest(List.of(message), maxTokens, stream, parameters, metadata, riskClass);
    }

    public Policy loadPolicy() {
        return Fixtures.policy(policy);
    }

    public Classification classification() {
        return classification;
    }

    public ScriptedProvider provider(FakeClock clock) {
        ScriptedProvider provider = new ScriptedProvider(clock);
        scripts.forEach((model, replies) -> provider.script(model, replies.toArray(Reply[]::new)));
        return provider;
    }

    public Router router(ScriptedProvider provider, FakeClock clock) {
        return Fixtures.router(loadPolicy(), new FixedClassifier(classification), provider, clock);
    }

    static List<String> csv(String text) {
        return text.isBlank()
                ? List.of()
                : Arrays.stream(text.split(",")).map(String::strip).toList();
    }

    public static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Message imageMessage(String text) {
        ObjectNode raw = (ObjectNode) json("{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.png\"}}]}");
        ((ObjectNode) raw.get("content").get(0)).put("text", text);
        return Message.fromJson(raw);
    }

    @Override
    public String toString() {
        return name;
    }
}
