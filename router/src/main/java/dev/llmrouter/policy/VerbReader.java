package dev.llmrouter.policy;

import dev.llmrouter.config.ConfigNode;
import dev.llmrouter.provider.ErrorKind;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads the verbs of a route (or of the policy's {@code defaults}). A verb the route leaves out comes
 * from the defaults, then from the built-in default of its record.
 */
final class VerbReader {
    private final PolicyLoader.References refs;
    private final Optional<VerbReader> defaults;
    private Optional<Route.Filter> filter = Optional.empty();
    private Optional<Route.Rank> rank = Optional.empty();
    private Optional<Route.Select> select = Optional.empty();
    private Optional<Route.Mutate> mutate = Optional.empty();
    private Optional<Route.Fallback> fallback = Optional.empty();
    private Optional<Route.Cascade> cascade = Optional.empty();
    private Optional<Route.Watch> watch = Optional.empty();
    private Optional<Route.Explore> explore = Optional.empty();

    VerbReader(PolicyLoader.References refs, Optional<VerbReader> defaults) {
        this.refs = refs;
        this.defaults = defaults;
    }

    void readAll(ConfigNode node) {
        filter = node.field("filter").filter(ConfigNode::expectObject).map(this::filter);
        rank = node.field("rank").map(this::rank);
        select = node.field("select").filter(ConfigNode::expectObject).map(this::select);
        mutate = node.field("mutate").filter(ConfigNode::expectObject).map(this::mutate);
        fallback = node.field("fallback").filter(ConfigNode::expectObject).map(this::fallback);
        cascade = node.field("cascade").filter(ConfigNode::expectObject).map(this::cascade);
        watch = node.field("watch").filter(ConfigNode::expectObject).map(VerbReader::watch);
        explore = node.field("explore").filter(ConfigNode::expectObject).map(VerbReader::explore);
    }

    Route route(String name, Route.Match match) {
        return new Route(
                name,
                match,
                filter.or(() -> defaults.flatMap(d -> d.filter)).orElse(Route.Filter.NONE),
                rank.or(() -> defaults.flatMap(d -> d.rank)).orElse(Route.Rank.DEFAULT),
                select.or(() -> defaults.flatMap(d -> d.select)).orElse(Route.Select.AUTO),
                mutate.or(() -> defaults.flatMap(d -> d.mutate)).orElse(Route.Mutate.DEFAULT),
                fallback.or(() -> defaults.flatMap(d -> d.fallback)).orElse(Route.Fallback.DEFAULT),
                cascade.or(() -> defaults.flatMap(d -> d.cascade)).orElse(Route.Cascade.DEFAULT),
                watch.or(() -> defaults.flatMap(d -> d.watch)).orElse(Route.Watch.DEFAULT),
                explore.or(() -> defaults.flatMap(d -> d.explore)).orElse(Route.Explore.OFF));
    }

    private Route.Filter filter(ConfigNode node) {
        node.allowOnly(Set.of(
                "capabilities",
                "regions",
                "max_input_price",
                "max_output_price",
                "max_request_cost",
                "allowed_models",
                "denied_models",
                "min_tier",
                "max_tier"));
        int minTier = node.integer("min_tier", 1, 9).orElse(1);
        int maxTier = node.integer("max_tier", 1, 9).orElse(9);
        if (minTier > maxTier) {
            node.problems().add(node.path() + ".min_tier", "cannot exceed max_tier (" + maxTier + ")");
        }
        return new Route.Filter(
                Set.copyOf(node.list("capabilities", refs::capability)),
                Set.copyOf(node.list("regions", refs::region)),
                price(node, "max_input_price"),
                price(node, "max_output_price"),
                price(node, "max_request_cost"),
                Set.copyOf(node.list("allowed_models", refs::model)),
                Set.copyOf(node.list("denied_models", refs::model)),
                minTier,
                maxTier);
    }

    private static OptionalDouble price(ConfigNode node, String field) {
        OptionalDouble value = node.number(field, 0, 1_000_000);
        if (value.isPresent() && value.getAsDouble() == 0) {
            node.problems()
                    .add(node.path() + "." + field, "a ceiling of 0 admits no paid model: remove it or raise it");
        }
        return value;
    }

    private Route.Rank rank(ConfigNode node) {
        if (node.json().isTextual()) {
            return new Route.Rank(rankBy(node, node.json().asText()), Route.Rank.DEFAULT.expectedOutputTokens());
        }
        if (!node.expectObject()) {
            return Route.Rank.DEFAULT;
        }
        node.allowOnly(Set.of("by", "expected_output_tokens"));
        Route.Rank.By by = node.text("by").map(t -> rankBy(node, t)).orElse(Route.Rank.By.CHEAPEST);
        int tokens =
                node.integer("expected_output_tokens", 1, 1_000_000).orElse(Route.Rank.DEFAULT.expectedOutputTokens());
        return new Route.Rank(by, tokens);
    }

    private static Route.Rank.By rankBy(ConfigNode node, String text) {
        return switch (text) {
            case "cheapest" -> Route.Rank.By.CHEAPEST;
            case "fastest" -> Route.Rank.By.FASTEST;
            case "quality" -> Route.Rank.By.QUALITY;
            default -> {
                node.problems()
                        .add(
                                node.json().isTextual() ? node.path() : node.path() + ".by",
                                "unknown ranking '" + text + "' (known: cheapest, fastest, quality)");
                yield Route.Rank.By.CHEAPEST;
            }
        };
    }

    private Route.Select select(ConfigNode node) {
        node.allowOnly(Set.of("start", "failover"));
        Optional<String> start =
                node.field("start").flatMap(s -> s.json().asText().equals("auto") ? Optional.empty() : refs.model(s));
        return new Route.Select(start, node.list("failover", refs::model));
    }

    private Route.Mutate mutate(ConfigNode node) {
        node.allowOnly(Set.of("clamp_max_tokens", "drop_unsupported_params", "default_max_tokens"));
        return new Route.Mutate(
                node.bool("clamp_max_tokens").orElse(true),
                node.bool("drop_unsupported_params").orElse(true),
                node.integer("default_max_tokens", 1, 10_000_000));
    }

    private Route.Fallback fallback(ConfigNode node) {
        node.allowOnly(Set.of("on", "max_attempts", "max_retry_after", "cooldown"));
        Route.Fallback d = Route.Fallback.DEFAULT;
        Set<ErrorKind> on = node.field("on").isPresent() ? EnumSet.noneOf(ErrorKind.class) : d.moveOn();
        for (ConfigNode item : node.list("on")) {
            item.asText().ifPresent(text -> {
                Optional<ErrorKind> kind = ErrorKind.fromKey(text);
                if (kind.isEmpty()) {
                    item.error("unknown error kind '" + text + "' (known: "
                            + Arrays.stream(ErrorKind.values())
                                    .map(ErrorKind::key)
                                    .collect(Collectors.joining(", ")) + ")");
                } else if (!kind.get().recovery().canMoveOn()) {
                    item.error(text + " always returns to the caller: another model cannot fix it");
                } else {
                    on.add(kind.get());
                }
            });
        }
        int attempts = node.integer("max_attempts", 1, 20).orElse(d.maxAttempts());
        Duration wait = node.duration("max_retry_after").orElse(d.maxRetryAfter());
        if (wait.compareTo(Duration.ofMinutes(1)) > 0) {
            node.problems().add(node.path() + ".max_retry_after", "at most 1m: a caller is waiting");
        }
        int[] after = {d.cooldownAfter()};
        Duration[] cooldown = {d.cooldownFor()};
        node.field("cooldown").filter(ConfigNode::expectObject).ifPresent(c -> {
            c.allowOnly(Set.of("after_failures", "for"));
            after[0] = c.integer("after_failures", 1, 1000).orElse(after[0]);
            cooldown[0] = c.duration("for").orElse(cooldown[0]);
        });
        return new Route.Fallback(on, attempts, wait, after[0], cooldown[0]);
    }

    private Route.Cascade cascade(ConfigNode node) {
        node.allowOnly(Set.of(
                "enabled",
                "quality_floor",
                "quality_gap",
                "gate_threshold",
                "max_escalations",
                "streaming",
                "on_escalation_failure",
                "unfamiliar_below",
                "target_escalation_rate",
                "gate_threshold_bounds",
                "control_window"));
        Route.Cascade d = Route.Cascade.DEFAULT;
        return new Route.Cascade(
                node.bool("enabled").orElse(d.enabled()),
                node.number("quality_floor", 0, 1).orElse(d.qualityFloor()),
                node.number("quality_gap", 0, 1).orElse(d.qualityGap()),
                node.number("gate_threshold", 0, 1).orElse(d.gateThreshold()),
                node.integer("max_escalations", 0, 8).orElse(d.maxEscalations()),
                choice(node, "streaming", "streaming mode", Route.Cascade.Streaming.class)
                        .orElse(d.streaming()),
                choice(node, "on_escalation_failure", "choice", Route.Cascade.OnEscalationFailure.class)
                        .orElse(d.onEscalationFailure()),
                node.number("unfamiliar_below", 0, 1).orElse(d.unfamiliarBelow()),
                hold(node));
    }

    /** {@code target_escalation_rate} with {@code gate_threshold_bounds} (required) and {@code control_window}. */
    private static Optional<Route.Cascade.Hold> hold(ConfigNode node) {
        OptionalDouble target = node.number("target_escalation_rate", 0.01, 0.99);
        Optional<ConfigNode> bounds = node.field("gate_threshold_bounds");
        java.util.OptionalInt window = node.integer("control_window", 20, 1_000_000);
        if (node.field("target_escalation_rate").isEmpty()) {
            if (bounds.isPresent() || node.field("control_window").isPresent()) {
                node.problems()
                        .add(
                                node.path() + ".target_escalation_rate",
                                "required with gate_threshold_bounds"
                                        + " and control_window: the share of answers the controller keeps escalating, e.g. 0.15");
            }
            return Optional.empty();
        }
        if (bounds.isEmpty()) {
            node.problems()
                    .add(
                            node.path() + ".gate_threshold_bounds",
                            "required with target_escalation_rate: the"
                                    + " lowest and highest threshold the controller may set, e.g. [0.3, 0.8]");
            return Optional.empty();
        }
        List<ConfigNode> pair = node.list("gate_threshold_bounds");
        OptionalDouble low = pair.size() == 2 ? pair.get(0).asNumber(0, 1) : OptionalDouble.empty();
        OptionalDouble high = pair.size() == 2 ? pair.get(1).asNumber(0, 1) : OptionalDouble.empty();
        if (pair.size() != 2) {
            bounds.get().error("expected [min, max], two thresholds between 0 and 1, e.g. [0.3, 0.8]");
            return Optional.empty();
        }
        if (low.isEmpty() || high.isEmpty() || target.isEmpty()) {
            return Optional.empty();
        }
        if (low.getAsDouble() > high.getAsDouble()) {
            bounds.get()
                    .error("the min " + ConfigNode.plain(low.getAsDouble()) + " is above the max "
                            + ConfigNode.plain(high.getAsDouble()));
            return Optional.empty();
        }
        return Optional.of(new Route.Cascade.Hold(
                target.getAsDouble(), low.getAsDouble(), high.getAsDouble(), window.orElse(500)));
    }

    private static Route.Watch watch(ConfigNode node) {
        node.allowOnly(Set.of(
                "escalation_rate",
                "fallback_rate",
                "decision_p99",
                "feedback_score",
                "provider_share",
                "window",
                "min_requests"));
        Route.Watch d = Route.Watch.DEFAULT;
        double floor = d.escalationFloor();
        double ceiling = d.escalationCeiling();
        Optional<ConfigNode> bounds = node.field("escalation_rate");
        if (bounds.isPresent()) {
            List<ConfigNode> pair = node.list("escalation_rate");
            OptionalDouble low = pair.size() == 2 ? pair.get(0).asNumber(0, 1) : OptionalDouble.empty();
            OptionalDouble high = pair.size() == 2 ? pair.get(1).asNumber(0, 1) : OptionalDouble.empty();
            if (bounds.get().json().isArray() && pair.size() != 2) {
                bounds.get().error("expected [floor, ceiling], two shares between 0 and 1, e.g. [0.02, 0.30]");
            } else if (low.isPresent() && high.isPresent()) {
                floor = low.getAsDouble();
                ceiling = high.getAsDouble();
                if (floor > ceiling) {
                    bounds.get()
                            .error("the floor " + ConfigNode.plain(floor) + " is above the ceiling "
                                    + ConfigNode.plain(ceiling));
                }
            }
        }
        Duration p99 = node.duration("decision_p99").orElse(d.decisionP99());
        if (p99.isZero()) {
            node.problems().add(node.path() + ".decision_p99", "a bound of 0 always fires: raise it");
        }
        Duration window = node.duration("window").orElse(d.window());
        if (window.compareTo(Duration.ofSeconds(10)) < 0 || window.compareTo(Duration.ofDays(7)) > 0) {
            node.problems().add(node.path() + ".window", "between 10s and 7d: Prometheus needs a few scrapes in it");
        }
        return new Route.Watch(
                floor,
                ceiling,
                node.number("fallback_rate", 0, 1).orElse(d.fallbackRate()),
                p99,
                node.number("feedback_score", 0, 1).orElse(d.feedbackScore()),
                node.number("provider_share", 0, 1),
                window,
                node.integer("min_requests", 1, 1_000_000).orElse(d.minRequests()));
    }

    private static Route.Explore explore(ConfigNode node) {
        node.allowOnly(Set.of("share", "mode", "max_cost_per_hour"));
        OptionalDouble share = node.number("share", 0, 0.5);
        if (node.field("share").isEmpty()) {
            node.problems().add(node.path() + ".share", "required: the share of requests explored, e.g. 0.02");
        }
        OptionalDouble cap = node.number("max_cost_per_hour", 0, 1_000_000);
        return new Route.Explore(
                share.orElse(0),
                choice(node, "mode", "exploration mode", Route.Explore.Mode.class)
                        .orElse(Route.Explore.Mode.SHADOW),
                cap);
    }

    /** A field naming one constant of {@code type} in lower case; anything else is a problem at its path. */
    static <E extends Enum<E>> Optional<E> choice(ConfigNode node, String field, String what, Class<E> type) {
        return node.text(field).flatMap(s -> {
            for (E constant : type.getEnumConstants()) {
                if (constant.name().toLowerCase(Locale.ROOT).equals(s)) {
                    return Optional.of(constant);
                }
            }
            String known = java.util.Arrays.stream(type.getEnumConstants())
                    .map(c -> c.name().toLowerCase(Locale.ROOT))
                    .collect(java.util.stream.Collectors.joining(", "));
            node.problems().add(node.path() + "." + field, "unknown " + what + " '" + s + "' (known: " + known + ")");
            return Optional.empty();
        });
    }
}
