package dev.llmrouter.policy;

import dev.llmrouter.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/** Reads the policy's {@code budgets}: caps and premium quotas, each problem at its path. */
final class BudgetReader {
    private static final Set<String> FIELDS = Set.of(
            "name",
            "window",
            "cap_usd",
            "quota",
            "per",
            "routes",
            "models",
            "providers",
            "api_keys",
            "on_exhausted",
            "degrade_to",
            "alert_at");

    private BudgetReader() {}

    static List<Budget> read(ConfigNode root, PolicyLoader.References refs, List<Route> routes) {
        List<Budget> budgets = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> routeNames = new TreeSet<>(routes.stream().map(Route::name).toList());
        for (ConfigNode node : root.list("budgets")) {
            if (!node.expectObject()) {
                continue;
            }
            node.allowOnly(FIELDS);
            String name = node.requiredText("name").orElse("");
            if (!name.isEmpty() && !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                node.problems().add(node.path() + ".name", "use letters, digits, '.', '_' and '-' only");
            } else if (!name.isEmpty() && !names.add(name)) {
                node.problems().add(node.path() + ".name", "budget name '" + name + "' is used twice");
            }
            Duration window = window(node);
            Optional<Budget.Limit> limit = limit(node, refs);
            boolean quota = limit.isPresent() && limit.get() instanceof Budget.Quota;
            Budget.Per per = VerbReader.choice(node, "per", "scope", Budget.Per.class)
                    .orElse(quota ? Budget.Per.ROUTE : Budget.Per.GLOBAL);
            if (quota && (per == Budget.Per.MODEL || per == Budget.Per.PROVIDER)) {
                node.problems()
                        .add(
                                node.path() + ".per",
                                "a quota is a share of requests or spend across models: per global, route or api_key");
            }
            Budget.Scope scope = new Budget.Scope(
                    Set.copyOf(node.list("routes", r -> r.asText().filter(n -> {
                        if (!routeNames.contains(n)) {
                            r.error("unknown route '" + n + "' (the policy's routes: " + String.join(", ", routeNames)
                                    + ")");
                            return false;
                        }
                        return true;
                    }))),
                    Set.copyOf(node.list("models", refs::model)),
                    Set.copyOf(node.list("providers", p -> p.asText().filter(n -> {
                        if (refs.catalog().models().stream()
                                .noneMatch(m -> m.provider().equals(n))) {
                            p.error("unknown provider '" + n + "': no catalog model uses it");
                            return false;
                        }
                        return true;
                    }))),
                    Set.copyOf(node.list("api_keys", BudgetReader::fingerprint)));
            Budget.OnExhausted on = VerbReader.choice(node, "on_exhausted", "action", Budget.OnExhausted.class)
                    .orElse(quota ? Budget.OnExhausted.DEGRADE : Budget.OnExhausted.REFUSE);
            OptionalInt degradeTo = node.integer("degrade_to", 1, 9);
            if (quota && on == Budget.OnExhausted.REFUSE) {
                node.problems()
                        .add(
                                node.path() + ".on_exhausted",
                                "a quota only degrades (the models outside its premium set keep serving):"
                                        + " use a cap_usd budget with refuse to stop spending");
            }
            if (quota && degradeTo.isPresent()) {
                node.problems()
                        .add(
                                node.path() + ".degrade_to",
                                "a quota degrades to the models outside its premium set: remove degrade_to");
            }
            if (!quota && on == Budget.OnExhausted.DEGRADE && degradeTo.isEmpty()) {
                node.problems()
                        .add(
                                node.path() + ".degrade_to",
                                "required with on_exhausted: degrade: the highest tier that still serves once the cap"
                                        + " is reached, e.g. 1");
            }
            if (!quota && on == Budget.OnExhausted.REFUSE && degradeTo.isPresent()) {
                node.problems()
                        .add(node.path() + ".degrade_to", "only with on_exhausted: degrade: remove it or degrade");
            }
            double alertAt = node.number("alert_at", 0.01, 1).orElse(0.8);
            if (limit.isPresent() && window != null && !name.isEmpty()) {
                budgets.add(new Budget(name, window, per, scope, limit.get(), on, degradeTo, alertAt));
            }
        }
        return budgets;
    }

    private static Duration window(ConfigNode node) {
        Optional<String> text = node.text("window");
        if (text.isEmpty()) {
            node.problems().add(node.path() + ".window", "required: daily, hourly or a duration such as 30m");
            return null;
        }
        Duration window =
                switch (text.get()) {
                    case "daily" -> Duration.ofDays(1);
                    case "hourly" -> Duration.ofHours(1);
                    default -> node.duration("window").orElse(null);
                };
        if (window != null
                && (window.compareTo(Duration.ofMinutes(1)) < 0 || window.compareTo(Duration.ofDays(31)) > 0)) {
            node.problems().add(node.path() + ".window", "between 1m and 31d, got " + text.get());
            return null;
        }
        if (window != null && Duration.ofDays(1).toMillis() % window.toMillis() != 0 && window.toDays() == 0) {
            node.problems()
                    .add(
                            node.path() + ".window",
                            "a window under a day must divide the day (e.g. 1m, 15m, 1h, 6h) so each day starts a new"
                                    + " one, got " + text.get());
            return null;
        }
        return window;
    }

    private static Optional<Budget.Limit> limit(ConfigNode node, PolicyLoader.References refs) {
        boolean cap = node.field("cap_usd").isPresent();
        boolean quota = node.field("quota").isPresent();
        if (cap == quota) {
            node.problems()
                    .add(
                            node.path(),
                            cap
                                    ? "give cap_usd or quota, not both: make two budgets"
                                    : "give cap_usd (a spend cap, e.g. 50) or quota (a premium share,"
                                            + " e.g. {share: 0.2, min_tier: 3})");
            return Optional.empty();
        }
        if (cap) {
            OptionalDouble usd = node.number("cap_usd", 0, 1_000_000_000);
            return usd.isPresent() ? Optional.of(new Budget.Cap(usd.getAsDouble())) : Optional.empty();
        }
        ConfigNode q = node.field("quota").get();
        if (!q.expectObject()) {
            return Optional.empty();
        }
        q.allowOnly(Set.of("share", "of", "models", "min_tier"));
        OptionalDouble share = q.number("share", 0, 1);
        if (q.field("share").isEmpty()) {
            q.problems().add(q.path() + ".share", "required: the most the premium models may take, e.g. 0.2");
        }
        Budget.Quota.Of of = VerbReader.choice(q, "of", "quota measure", Budget.Quota.Of.class)
                .orElse(Budget.Quota.Of.REQUESTS);
        Set<String> models = Set.copyOf(q.list("models", refs::model));
        OptionalInt minTier = q.integer("min_tier", 1, 9);
        if (models.isEmpty() && minTier.isEmpty() && q.field("models").isEmpty()) {
            q.problems()
                    .add(
                            q.path(),
                            "name the premium models: models (a list) or min_tier (that tier and above), or both");
        }
        return share.isPresent()
                ? Optional.of(new Budget.Quota(share.getAsDouble(), of, models, minTier))
                : Optional.empty();
    }

    private static Optional<String> fingerprint(ConfigNode node) {
        return node.asText().filter(k -> {
            if (!k.matches("sha256:[0-9a-f]{12}")) {
                node.error("name a key by its fingerprint, \"sha256:\" and the first 12 hex digits of the key's"
                        + " sha256 (as traces and the admin API show it; `printf %s KEY | sha256sum`), never the key");
                return false;
            }
            return true;
        });
    }
}
