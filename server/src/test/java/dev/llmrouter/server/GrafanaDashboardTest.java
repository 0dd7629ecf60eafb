package dev.llmrouter.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.llmrouter.request.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * monitoring/grafana/llm-router.json is a dashboard Grafana can load: a schema version, unique panel ids,
 * panels that do not overlap, every query on the dashboard's Prometheus variable, and provisioning files that
 * parse. (That every query has data on a real Prometheus is {@link PrometheusIntegrationTest}'s job.)
 */
class GrafanaDashboardTest {
    static final Path GRAFANA =
            Path.of("..", "monitoring", "grafana").toAbsolutePath().normalize();

    static JsonNode dashboard() throws Exception {
        return Json.MAPPER.readTree(Files.readString(GRAFANA.resolve("llm-router.json")));
    }

    /** Every query of the dashboard: panel targets and annotation queries. */
    static List<String> queries(JsonNode dashboard) {
        List<String> out = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets")
                .forEach(t -> out.add(t.path("expr").asText())));
        dashboard.path("annotations").path("list").forEach(a -> {
            if (a.has("expr")) {
                out.add(a.path("expr").asText());
            }
        });
        return out;
    }

    @Test
    void theDashboardIsValidAndEveryQueryUsesItsPrometheusVariable() throws Exception {
        JsonNode d = dashboard();
        assertTrue(d.path("schemaVersion").asInt() >= 36, "schemaVersion");
        assertEquals("llm-router", d.path("uid").asText());
        JsonNode datasource = null;
        for (JsonNode v : d.path("templating").path("list")) {
            if (v.path("type").asText().equals("datasource")) {
                datasource = v;
            }
        }
        assertTrue(
                datasource != null && datasource.path("query").asText().equals("prometheus"),
                "a datasource variable of type prometheus");
        String variable = "${" + datasource.path("name").asText() + "}";
        Set<Integer> ids = new HashSet<>();
        List<int[]> boxes = new ArrayList<>();
        Set<String> rows = new HashSet<>();
        for (JsonNode p : d.path("panels")) {
            assertTrue(ids.add(p.path("id").asInt()), "panel id " + p.path("id") + " is used twice");
            JsonNode g = p.path("gridPos");
            int[] box = {
                g.path("x").asInt(),
                g.path("y").asInt(),
                g.path("w").asInt(),
                g.path("h").asInt()
            };
            assertTrue(box[2] > 0 && box[3] > 0 && box[0] + box[2] <= 24, p.path("title") + " fits the 24-column grid");
            for (int[] other : boxes) {
                boolean apart = box[0] + box[2] <= other[0]
                        || other[0] + other[2] <= box[0]
                        || box[1] + box[3] <= other[1]
                        || other[1] + other[3] <= box[1];
                assertTrue(apart, p.path("title") + " overlaps another panel");
            }
            boxes.add(box);
            if (p.path("type").asText().equals("row")) {
                rows.add(p.path("title").asText());
                continue;
            }
            assertFalse(p.path("targets").isEmpty(), p.path("title") + " has queries");
            for (JsonNode t : p.path("targets")) {
                assertEquals(variable, t.path("datasource").path("uid").asText(), p.path("title") + " target");
                assertFalse(t.path("expr").asText().isBlank(), p.path("title") + " target");
            }
        }
        assertEquals(
                Set.of(
                        "Traffic",
                        "Cascade",
                        "Cost",
                        "Reliability",
                        "The router itself",
                        "Quality",
                        "Versions",
                        "Retraining loop",
                        "Budgets and replicas"),
                rows);
        assertEquals(2, d.path("annotations").path("list").size() - 1, "policy and classifier change annotations");
    }

    @Test
    void theProvisioningFilesParse() throws Exception {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        JsonNode dashboards =
                yaml.readTree(GRAFANA.resolve("provisioning/dashboards.yaml").toFile());
        assertEquals(1, dashboards.path("apiVersion").asInt());
        assertEquals("file", dashboards.path("providers").get(0).path("type").asText());
        JsonNode sources =
                yaml.readTree(GRAFANA.resolve("provisioning/datasources.yaml").toFile());
        assertEquals(
                "prometheus", sources.path("datasources").get(0).path("type").asText());
    }
}
