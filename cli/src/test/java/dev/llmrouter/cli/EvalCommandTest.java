package dev.llmrouter.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.llmrouter.request.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalCommandTest {
    @TempDir
    static Path dir;

    static Path data;

    @BeforeAll
    static void fixture() throws IOException {
        System.setProperty(
                "llmrouter.home", Path.of("..").toAbsolutePath().normalize().toString());
        data = Traffic.records(dir, 60, false);
    }

    @Test
    void evalWritesTheReportAndPrintsTheTable() throws IOException {
        Path out = dir.resolve("report");
        Path b = Files.writeString(dir.resolve("b.yaml"), """
                id: b
                version: 1
                routes:
                  - name: all
                    cascade: {enabled: false, quality_floor: 0.99}
                """);
        MainTest.Run run = MainTest.run(
                "eval",
                "--data",
                data.toString(),
                "--cheap",
                "small",
                "--strong",
                "large",
                "--price",
                "small=0.1,0.1",
                "--out",
                out.toString(),
                "--compare",
                b.toString(),
                "--classifier",
                "heuristic");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("60 records, small vs large"), run.out());
        assertTrue(run.out().contains("policy diff:"), run.out());
        JsonNode report = Json.MAPPER.readTree(out.resolve("report.json").toFile());
        assertEquals(60, report.get("meta").get("records").asInt());
        assertEquals(0.5, report.get("routers").get("random").get("apgr").asDouble(), 0.05);
        assertTrue(report.get("compare").get("changed").asInt() > 0);
        for (String file : new String[] {"curve.csv", "plot.png", "report.html"}) {
            assertTrue(Files.size(out.resolve(file)) > 100, file);
        }
        // every table row of the page has as many cells as its table has headers
        String html = Files.readString(out.resolve("report.html"));
        for (String table : html.split("<table>")) {
            if (!table.contains("</table>")) {
                continue;
            }
            String body = table.substring(0, table.indexOf("</table>"));
            String[] rows = body.split("<tr>");
            int headers = rows[1].split("<th>", -1).length - 1;
            for (int i = 2; i < rows.length; i++) {
                assertEquals(headers, rows[i].split("<td>", -1).length - 1, "row " + rows[i]);
            }
        }
    }

    @Test
    void anUnpricedModelIsNamedWithTheFix() {
        MainTest.Run run = MainTest.run(
                "eval",
                "--data",
                data.toString(),
                "--cheap",
                "small",
                "--strong",
                "large",
                "--out",
                dir.resolve("x").toString());
        assertEquals(2, run.code());
        assertTrue(
                run.err()
                        .contains("model 'small' is not in the catalog and the records carry no cost for it:"
                                + " pass --price small=IN,OUT"),
                run.err());
    }

    @Test
    void anUnknownModelListsTheModelsTheRecordsName() {
        MainTest.Run run = MainTest.run(
                "eval",
                "--data",
                data.toString(),
                "--cheap",
                "tiny",
                "--strong",
                "large",
                "--out",
                dir.resolve("y").toString());
        assertEquals(2, run.code());
        assertTrue(
                run.err().contains("no record has an outcome for model 'tiny'; the records name: large, small"),
                run.err());
    }

    @Test
    void badLinesStopTheRunUnlessSkipped() throws IOException {
        Path mixed = Files.writeString(dir.resolve("mixed.jsonl"), Files.readString(data) + "{oops\n");
        MainTest.Run stopped = MainTest.run(
                "eval",
                "--data",
                mixed.toString(),
                "--cheap",
                "small",
                "--strong",
                "large",
                "--price",
                "small=0.1,0.1",
                "--out",
                dir.resolve("z").toString());
        assertEquals(2, stopped.code());
        assertTrue(stopped.err().contains("mixed.jsonl:61: not valid JSON"), stopped.err());
        MainTest.Run skipped = MainTest.run(
                "eval",
                "--data",
                mixed.toString(),
                "--cheap",
                "small",
                "--strong",
                "large",
                "--price",
                "small=0.1,0.1",
                "--out",
                dir.resolve("z").toString(),
                "--skip-invalid",
                "--split",
                "test");
        assertEquals(0, skipped.code(), skipped.err());
        assertTrue(skipped.err().contains("skipped " + mixed + ":61"), skipped.err());
    }
}
