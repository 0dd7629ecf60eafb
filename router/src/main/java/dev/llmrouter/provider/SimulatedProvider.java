package dev.llmrouter.provider;

import dev.llmrouter.config.Sha256;
import dev.llmrouter.request.ChatRequest;
import dev.llmrouter.request.TokenEstimate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An upstream that needs no key and no network: deterministic answers, so the router can be run and shown
 * on a fresh machine. For one model and one prompt it always does the same thing: with probability
 * {@code errorRate} it fails as overloaded (503), which the fallback chain moves on from; otherwise it
 * answers, in full with the probability its tier's {@code quality} gives, else cut at the output limit
 * ({@code finish_reason: length}), which the gate rejects and the cascade escalates from. Every call takes
 * {@code latency}. Thread-safe.
 */
public final class SimulatedProvider implements ProviderClient {
    /**
     * @param latency how long each call takes
     * @param errorRate share of (model, prompt) pairs that fail with 503
     * @param qualityByTier share of (model, prompt) pairs answered in full, by the model's tier
     * @param difficulty how much whether a model answers a prompt in full depends on the prompt's own
     *     difficulty, which every model shares, rather than on the pair alone: 0, each (model, prompt) is drawn
     *     on its own; towards 1, a prompt one model fails the others fail too, cheap models more often (as on
     *     real traffic, where what a strong model is asked after a cheap one failed is harder than average)
     */
    public record Settings(Duration latency, double errorRate, Map<Integer, Double> qualityByTier, double difficulty) {
        public static final Settings DEFAULT =
                new Settings(Duration.ofMillis(20), 0.02, Map.of(1, 0.6, 2, 0.8, 3, 0.95), 0);

        /** Settings without shared difficulty. */
        public Settings(Duration latency, double errorRate, Map<Integer, Double> qualityByTier) {
            this(latency, errorRate, qualityByTier, 0);
        }

        public Settings {
            Objects.requireNonNull(latency, "latency");
            if (latency.isNegative()) {
                throw new IllegalArgumentException("simulated latency must not be negative, got " + latency);
            }
            if (errorRate < 0 || errorRate > 1) {
                throw new IllegalArgumentException("simulated error_rate must be between 0 and 1, got " + errorRate);
            }
            if (difficulty < 0 || difficulty > 1) {
                throw new IllegalArgumentException("simulated difficulty must be between 0 and 1, got " + difficulty);
            }
            qualityByTier = Map.copyOf(qualityByTier);
            qualityByTier.forEach((tier, q) -> {
                if (q < 0 || q > 1) {
                    throw new IllegalArgumentException(
                            "simulated quality of tier " + tier + " must be between 0 and 1, got " + q);
                }
            });
        }
    }

    private final Settings settings;
    private final Map<String, Integer> tierOf;

    /** @param tierOf the tier of each upstream model name this provider serves */
    public SimulatedProvider(Settings settings, Map<String, Integer> tierOf) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.tierOf = Map.copyOf(tierOf);
    }

    @Override
    public Completion complete(ProviderCall call) throws ProviderFailure {
        return answer(call, StreamSink.discarding());
    }

    @Override
    public Completion stream(ProviderCall call, StreamSink sink) throws ProviderFailure {
        return answer(call, sink);
    }

    private Completion answer(ProviderCall call, StreamSink sink) throws ProviderFailure {
        ChatRequest request = call.request();
        String prompt = request.lastUserText();
        long h = hash(call.upstreamModel() + "\n" + prompt);
        sleep();
        if (share(h) < settings.errorRate()) {
            throw new ProviderFailure(
                    ErrorKind.OVERLOADED,
                    "simulated: " + call.upstreamModel() + " is overloaded (503)",
                    OptionalInt.of(503),
                    Optional.empty());
        }
        double quality = settings.qualityByTier().getOrDefault(tierOf.getOrDefault(call.upstreamModel(), 1), 0.8);
        double draw = (1 - settings.difficulty()) * share(h >>> 20) + settings.difficulty() * share(hash(prompt));
        boolean full = draw < quality;
        String excerpt = prompt.length() > 60 ? prompt.substring(0, 60) + "..." : prompt;
        String text = "Simulated answer from " + call.upstreamModel() + " to \"" + excerpt.replace('\n', ' ') + "\": "
                + (full ? "here is a complete, confident answer." : "here is the start of an answer that");
        int limit = request.maxTokens().orElse(Integer.MAX_VALUE);
        List<String> words = List.of(text.split("(?<= )"));
        int outputTokens = Math.min(limit, TokenEstimate.ofText(text));
        for (String word : words) {
            sink.onText(word);
        }
        return new Completion(
                text,
                full && outputTokens < limit ? "stop" : "length",
                List.of(),
                new Usage(TokenEstimate.promptTokens(request), outputTokens, false),
                List.of(),
                call.upstreamModel());
    }

    private void sleep() throws ProviderFailure {
        if (settings.latency().isZero()) {
            return;
        }
        try {
            Thread.sleep(settings.latency());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderFailure(ErrorKind.TIMEOUT, "simulated: interrupted while answering");
        }
    }

    private static long hash(String text) {
        return Long.parseUnsignedLong(Sha256.hex(text).substring(0, 15), 16);
    }

    /** A share in [0, 1) from the low 20 bits. */
    private static double share(long bits) {
        return (bits & 0xFFFFF) / (double) (1 << 20);
    }
}
