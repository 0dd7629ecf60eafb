package dev.llmrouter.evalsets;

import java.util.Locale;
import java.util.Map;

/** A self-contained HTML page: the tables of a report and its plot, inlined. */
final class HtmlReport {
    private HtmlReport() {}

    static String render(EvalReport report, String pngBase64) {
        EvalReport.Meta m = report.meta();
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>llm-router evaluation</title><style>")
                .append(
                        "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
                .append("td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}")
                .append("td:first-child,th:first-child{text-align:left}</style></head><body>");
        h.append("<h1>Routing evaluation</h1><p>")
                .append(esc(String.join(", ", m.data())))
                .append(": <b>")
                .append(esc(m.cheap()))
                .append("</b> (cheap) vs <b>")
                .append(esc(m.strong()))
                .append("</b> (strong), ")
                .append(m.records())
                .append(" records, split ")
                .append(esc(m.split()))
                .append(", seed ")
                .append(m.seed())
                .append(". Policy ")
                .append(esc(m.policy()))
                .append("; classifier ")
                .append(esc(m.classifier()))
                .append("; gate ")
                .append(esc(m.gate()))
                .append("; sweep over the ")
                .append(esc(m.sweep()))
                .append(". Costs: ")
                .append(esc(m.costBasis()))
                .append(".</p>");
        h.append("<img alt=\"quality against cost\" src=\"data:image/png;base64,")
                .append(pngBase64)
                .append("\">");
        routers(h, report);
        segments(h, report);
        models(h, report);
        compare(h, report);
        h.append("<p>")
                .append(m.routes())
                .append(" router decisions in ")
                .append(String.format(Locale.ROOT, "%.1f", m.replaySeconds()))
                .append(" s on ")
                .append(esc(m.machine()))
                .append(".</p></body></html>\n");
        return h.toString();
    }

    /** The routers table: each router and baseline at the configured setting. */
    private static void routers(StringBuilder h, EvalReport report) {
        EvalReport.Meta m = report.meta();
        h.append("<h2>Routers</h2><table><tr><th>router</th><th>APGR</th><th>CPT(50%)</th><th>CPT(80%)</th>")
                .append("<th>CPT(95%)</th><th>AUC</th><th>quality</th><th>strong share</th><th>escalation rate</th>")
                .append("<th>cost / 1k req (USD)</th><th>cost / successful task (USD)</th></tr>");
        for (Map.Entry<String, RouterScore> e : report.routers().entrySet()) {
            RouterScore r = e.getValue();
            h.append("<tr><td>")
                    .append(e.getKey())
                    .append("</td><td>")
                    .append(ReportWriter.figure(r.apgr()))
                    .append(r.apgrInterval()
                            .map(i -> String.format(java.util.Locale.ROOT, " (95%%: %.3f-%.3f)", i.get(0), i.get(1)))
                            .orElse(""))
                    .append("</td><td>")
                    .append(ReportWriter.figure(r.cpt().get("50")))
                    .append("</td><td>")
                    .append(ReportWriter.figure(r.cpt().get("80")))
                    .append("</td><td>")
                    .append(ReportWriter.figure(r.cpt().get("95")))
                    .append("</td><td>")
                    .append(ReportWriter.figure(r.auc()))
                    .append("</td><td>")
                    .append(f(r.quality()))
                    .append("</td><td>")
                    .append(f(r.strongShare()))
                    .append("</td><td>")
                    .append(f(r.escalationRate()))
                    .append("</td><td>")
                    .append(f(r.costUsd() / Math.max(1, m.records()) * 1000))
                    .append("</td><td>")
                    .append(r.costPerSuccessfulTaskUsd()
                            .map(c -> String.format(Locale.ROOT, "%.6f", c))
                            .orElse("-"))
                    .append("</td></tr>");
        }
        h.append(
                "</table><p>Single figures of swept routers are read at the configured router's strong-call share.</p>");
    }

    /** The single models, with their place on the Pareto frontier. */
    private static void models(StringBuilder h, EvalReport report) {
        if (!report.models().isEmpty()) {
            h.append("<h2>Single models</h2><table><tr><th>model</th><th>records</th><th>quality</th>")
                    .append("<th>cost / 1k req (USD)</th><th>Pareto frontier</th></tr>");
            for (Pareto.ModelPoint p : report.models()) {
                h.append("<tr><td>")
                        .append(esc(p.model()))
                        .append("</td><td>")
                        .append(p.records())
                        .append("</td><td>")
                        .append(f(p.quality()))
                        .append("</td><td>")
                        .append(p.costPer1k().map(HtmlReport::f).orElse("unpriced"))
                        .append("</td><td>")
                        .append(p.onFrontier() ? "yes" : "")
                        .append("</td></tr>");
            }
            h.append("</table>");
        }
    }

    /** What a second policy changes, when one was given. */
    private static void compare(StringBuilder h, EvalReport report) {
        EvalReport.Meta m = report.meta();
        report.compare().ifPresent(c -> {
            h.append("<h2>Policy diff: ")
                    .append(esc(m.comparePolicy().orElse("")))
                    .append("</h2><p>")
                    .append(c.changed())
                    .append(" of ")
                    .append(c.records())
                    .append(" decisions change; quality ")
                    .append(String.format(Locale.ROOT, "%+.4f", c.qualityDelta()))
                    .append(", cost ")
                    .append(String.format(Locale.ROOT, "%+.4f", c.costDeltaUsd()))
                    .append(" USD.</p>");
            groups(h, "route", c.byRoute());
            groups(h, "category", c.bySegment());
        });
    }

    private static void segments(StringBuilder h, EvalReport report) {
        RouterScore router = report.routers().get("router");
        RouterScore random = report.routers().get("random");
        if (router == null || router.segments().size() < 2) {
            return;
        }
        h.append("<h2>By category</h2><table><tr><th>category</th><th>records</th><th>router APGR</th>")
                .append("<th>random APGR</th><th>router quality</th><th>strong share</th><th>cost (USD)</th></tr>");
        router.segments().forEach((name, s) -> h.append("<tr><td>")
                .append(esc(name))
                .append("</td><td>")
                .append(s.records())
                .append("</td><td>")
                .append(ReportWriter.figure(s.apgr()))
                .append("</td><td>")
                .append(
                        random == null
                                ? ""
                                : ReportWriter.figure(
                                        random.segments().get(name).apgr()))
                .append("</td><td>")
                .append(f(s.quality()))
                .append("</td><td>")
                .append(f(s.strongShare()))
                .append("</td><td>")
                .append(f(s.costUsd()))
                .append("</td></tr>"));
        h.append("</table>");
    }

    private static void groups(StringBuilder h, String what, Map<String, PolicyDiff.Group> groups) {
        h.append("<table><tr><th>")
                .append(what)
                .append("</th><th>records</th><th>changed</th><th>quality delta</th>")
                .append("<th>cost delta (USD)</th></tr>");
        groups.forEach((name, g) -> h.append("<tr><td>")
                .append(esc(name))
                .append("</td><td>")
                .append(g.records())
                .append("</td><td>")
                .append(g.changed())
                .append("</td><td>")
                .append(String.format(Locale.ROOT, "%+.4f", g.qualityDelta()))
                .append("</td><td>")
                .append(String.format(Locale.ROOT, "%+.4f", g.costDeltaUsd()))
                .append("</td></tr>"));
        h.append("</table>");
    }

    private static String f(double value) {
        return String.format(Locale.ROOT, "%.4f", value);
    }

    private static String esc(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }
}
