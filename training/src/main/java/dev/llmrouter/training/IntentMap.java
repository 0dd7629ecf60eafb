package dev.llmrouter.training;

import dev.llmrouter.config.ConfigNode;
import dev.llmrouter.config.Documents;
import dev.llmrouter.config.Problems;
import dev.llmrouter.evalsets.LabelledRecord;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Maps the real labels of labelled sets to the router's intent taxonomy ({@code config/intent-map.yaml}):
 * by the record's source (or a prefix of it ending at '/'), then its intent label or category, else the
 * source's {@code default}.
 */
public record IntentMap(List<String> taxonomy, Map<String, Map<String, String>> sources) {
    public IntentMap {
        taxonomy = List.copyOf(taxonomy);
        sources = Map.copyOf(sources);
    }

    public static IntentMap load(Path file) {
        Problems problems = new Problems();
        ConfigNode root = ConfigNode.root(Documents.read(file), problems);
        root.expectObject();
        root.allowOnly(Set.of("taxonomy", "sources"));
        List<String> taxonomy = root.textList("taxonomy");
        if (taxonomy.size() < 2) {
            problems.add("taxonomy", "list at least two intents");
        }
        Map<String, Map<String, String>> sources = new LinkedHashMap<>();
        root.required("sources").filter(ConfigNode::expectObject).ifPresent(s -> s.entries()
                .forEach((source, labels) -> {
                    Map<String, String> map = new LinkedHashMap<>();
                    if (labels.expectObject()) {
                        labels.entries()
                                .forEach((label, intent) -> intent.asText().ifPresent(i -> {
                                    if (!taxonomy.contains(i)) {
                                        intent.error("unknown intent '" + i + "' (taxonomy: "
                                                + String.join(", ", taxonomy) + ")");
                                    }
                                    map.put(label, i);
                                }));
                    }
                    sources.put(source, map);
                }));
        problems.throwIfAny("intent map " + file);
        return new IntentMap(taxonomy, sources);
    }

    /** The intent a record teaches, if its source and label are mapped. */
    public Optional<String> intentOf(LabelledRecord record) {
        Map<String, String> labels = labelsFor(record.source());
        if (labels == null) {
            return Optional.empty();
        }
        String label = record.intent().orElse(record.category());
        return Optional.ofNullable(labels.getOrDefault(label, labels.get("default")));
    }

    private Map<String, String> labelsFor(String source) {
        String key = source;
        while (true) {
            Map<String, String> labels = sources.get(key);
            if (labels != null) {
                return labels;
            }
            int slash = key.lastIndexOf('/');
            if (slash < 0) {
                return null;
            }
            key = key.substring(0, slash);
        }
    }
}
