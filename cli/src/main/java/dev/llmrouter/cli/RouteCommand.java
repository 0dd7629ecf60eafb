package dev.llmrouter.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.llmrouter.catalog.Catalog;
import dev.llmrouter.classify.Classifier;
import dev.llmrouter.engine.DecisionModels;
import dev.llmrouter.engine.RouteResult;
import dev.llmrouter.engine.Router;
import dev.llmrouter.policy.Policy;
import dev.llmrouter.provider.OpenAiWire;
import dev.llmrouter.provider.ProviderClients;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.Json;
import dev.llmrouter.request.Message;
import dev.llmrouter.trace.DecisionTrace;
import dev.llmrouter.trace.TraceJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
        name = "route",
        mixinStandardHelpOptions = true,
        description = {
            "Route one prompt. With --explain, print the decision trace without calling any model;",
            "without it, call the chosen model (provider API keys from the environment) and print the answer,",
            "with the trace on standard error."
        })
final class RouteCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigFiles files;

    @Mixin
    ClassifierOption classifierOption;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "The user message.")
    Optional<String> prompt = Optional.empty();

    @Option(
            names = "--request",
            paramLabel = "FILE",
            description = "A whole OpenAI chat-completions request body (JSON) instead of --prompt.")
    Optional<Path> requestFile = Optional.empty();

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message before the prompt.")
    Optional<String> system = Optional.empty();

    @Option(names = "--explain", description = "Decide and print the trace; call no model.")
    boolean explain;

    @Option(names = "--max-tokens", paramLabel = "N", description = "The request's max_tokens.")
    Optional<Integer> maxTokens = Optional.empty();

    @Option(
            names = "--risk-class",
            paramLabel = "NAME",
            description = "The request's risk class (default: the policy's).")
    String riskClass = "";

    @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "Routing metadata; repeatable.")
    Map<String, String> metadata = new LinkedHashMap<>();

    @Option(names = "--json", description = "Ask for JSON output (response_format json_object).")
    boolean json;

    @Option(names = "--stream", description = "Stream the answer as it arrives.")
    boolean stream;

    @Override
    public Integer call() {
        if (maxTokens.isPresent() && maxTokens.get() < 1) {
            throw new IllegalArgumentException("--max-tokens must be a positive number, got " + maxTokens.get());
        }
        DecisionModels models = classifierOption.load();
        Classifier classifier = models.classifier();
        Catalog catalog = files.loadCatalog();
        Policy policy = files.loadPolicy(catalog, classifier);
        Router.Builder builder = Router.builder()
                .catalog(catalog)
                .policy(policy)
                .classifier(classifier)
                .gate(models.gate());
        catalog.providers()
                .forEach((name, spec) -> builder.provider(
                        name, ProviderClients.create(spec, env -> Optional.ofNullable(System.getenv(env)))));
        Router router = builder.build();
        ChatRequest request = request();
        PrintWriter out = spec.commandLine().getOut();
        if (explain) {
            DecisionTrace trace = router.explain(request);
            out.println(TraceJson.toPrettyJson(trace));
            return trace.outcome() == DecisionTrace.Outcome.EXPLAINED ? 0 : Main.FAILED;
        }
        RouteResult result = router.route(request, delta -> {
            out.print(delta);
            out.flush();
        });
        PrintWriter err = spec.commandLine().getErr();
        err.println(TraceJson.toPrettyJson(result.trace()));
        return switch (result) {
            case RouteResult.Served served -> {
                if (!stream) {
                    out.println(served.completion().text());
                } else {
                    out.println();
                }
                yield 0;
            }
            case RouteResult.Refused refused -> {
                err.println("error: no model may serve this request:\n  " + String.join("\n  ", refused.reasons()));
                yield Main.FAILED;
            }
            case RouteResult.Failed failed -> {
                err.println("error: " + failed.lastFailure().kind().key() + ": "
                        + failed.lastFailure().getMessage());
                yield Main.FAILED;
            }
            case RouteResult.Abandoned abandoned -> {
                err.println("error: the output went away during the stream");
                yield Main.FAILED;
            }
        };
    }

    private ChatRequest request() {
        if (prompt.isPresent() == requestFile.isPresent()) {
            throw new IllegalArgumentException("give exactly one of --prompt TEXT and --request FILE");
        }
        if (requestFile.isPresent()) {
            return fromFile(requestFile.get());
        }
        List<Message> messages = new ArrayList<>();
        system.ifPresent(text -> messages.add(Message.of("system", text)));
        messages.add(Message.of("user", prompt.get()));
        Map<String, JsonNode> parameters = new LinkedHashMap<>();
        if (json) {
            parameters.put("response_format", Json.MAPPER.valueToTree(Map.of("type", "json_object")));
        }
        return new ChatRequest(
                messages,
                maxTokens.map(OptionalInt::of).orElse(OptionalInt.empty()),
                stream,
                parameters,
                metadata,
                riskClass);
    }

    /** A request body from a file; the command's own options override what the file says. */
    private ChatRequest fromFile(Path file) {
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not a JSON request body: " + e.getMessage());
        }
        if (!(body instanceof ObjectNode object)) {
            throw new IllegalArgumentException(file + ": expected a JSON object (an OpenAI chat-completions body)");
        }
        ChatRequest read = OpenAiWire.readRequest(object);
        Map<String, String> meta = new LinkedHashMap<>(read.metadata());
        meta.putAll(metadata);
        return new ChatRequest(
                read.messages(),
                maxTokens.map(OptionalInt::of).orElse(read.maxTokens()),
                stream || read.stream(),
                read.parameters(),
                meta,
                riskClass.isEmpty() ? read.riskClass() : riskClass);
    }
}
