package dev.llmrouter.evalsets;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.llmrouter.request.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Writes a report as JSON, CSV, a PNG plot and a self-contained HTML page. */
public final class ReportWriter {
    private static final ObjectMapper JSON = Json.MAPPER
            .copy()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .registerModule(new SimpleModule()
                    .addSerializer(Double.class, new FiniteOrNull())
                    .addSerializer(Double.TYPE, new FiniteOrNull()));

    private ReportWriter() {}

    /** Writes the four files into {@code dir}, creating it; returns the files written. */
    public static java.util.List<Path> write(EvalReport report, Path dir) {
        try {
            Files.createDirectories(dir);
            Path json = dir.resolve("report.json");
            Files.writeString(json, JSON.writeValueAsString(report), StandardCharsets.UTF_8);
            Path csv = dir.resolve("curve.csv");
            Files.writeString(csv, csv(report), StandardCharsets.UTF_8);
            Path png = dir.resolve("plot.png");
            byte[] image = Plot.render(report);
            Files.write(png, image);
            Path html = dir.resolve("report.html");
            Files.writeString(
                    html, HtmlReport.render(report, Base64.getEncoder().encodeToString(image)), StandardCharsets.UTF_8);
            return java.util.List.of(json, csv, png, html);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + dir, e);
        }
    }

    static String csv(EvalReport report) {
        StringBuilder out = new StringBuilder("router,threshold,strong_share,quality,cost_usd,escalation_rate\n");
        for (Map.Entry<String, RouterScore> e : report.routers().entrySet()) {
            for (CurvePoint p : e.getValue().curve()) {
                out.append(e.getKey())
                        .append(',')
                        .append(Double.isFinite(p.threshold()) ? number(p.threshold()) : "")
                        .append(',')
                        .append(number(p.strongShare()))
                        .append(',')
                        .append(number(p.quality()))
                        .append(',')
                        .append(number(p.costUsd()))
                        .append(',')
                        .append(number(p.escalationRate()))
                        .append('\n');
            }
        }
        return out.toString();
    }

    static String number(double value) {
        return String.format(Locale.ROOT, "%.6f", value);
    }

    /** A metric to three decimals, or n/a. */
    public static String figure(Optional<Double> value) {
        return value.map(v -> String.format(Locale.ROOT, "%.3f", v)).orElse("n/a");
    }

    /** JSON has no NaN or infinity: such a value is written as null. */
    private static final class FiniteOrNull extends StdSerializer<Double> {
        FiniteOrNull() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value == null || !Double.isFinite(value)) {
                gen.writeNull();
            } else {
                gen.writeNumber(value);
            }
        }
    }
}
