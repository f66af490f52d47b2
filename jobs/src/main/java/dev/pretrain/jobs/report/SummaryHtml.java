package dev.pretrain.jobs.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code summary.html}: the one-page summary of a run for a browser, with its key plots drawn as
 * inline SVG (no scripts, no external files): the headline figures, the quality checks, stage wall
 * times as bars, ingest's dropped documents per filter rule and per detected language as bars, and BERT's held-out MLM loss per averaging round. Built from the same
 * {@code report.json} map as {@link RunSummary#markdown}.
 */
public final class SummaryHtml {
    private SummaryHtml() {}

    @SuppressWarnings("unchecked")
    public static String render(Map<String, Object> report) {
        Map<String, Object> h = (Map<String, Object>) report.get("summary");
        Map<String, Object> run = (Map<String, Object>) report.get("run");
        StringBuilder sb = new StringBuilder();
        sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Pretraining run summary</title>\n")
                .append("<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}")
                .append("td.n{text-align:right;font-variant-numeric:tabular-nums}.ok{color:#080}.bad{color:#b00}")
                .append("svg{display:block;margin:1em 0}</style></head><body>\n")
                .append("<h1>Pretraining run summary</h1>\n<p>Run folder <code>").append(esc(run.get("output")))
                .append("</code>, ").append(esc(run.get("seconds"))).append(" s on <code>")
                .append(esc(run.get("spark_master"))).append("</code>, seed ").append(esc(run.get("seed")))
                .append(". Every figure comes from <code>report.json</code>.</p>\n");

        sb.append("<h2>Checks</h2>\n<ul>\n");
        Object checks = h.get("checks");
        if (checks instanceof Map<?, ?> m) {
            m.forEach((k, v) -> sb.append("<li class=\"").append(Boolean.TRUE.equals(v) ? "ok\">&#10004; " : "bad\">&#10008; ")
                    .append(esc(k)).append("</li>\n"));
        }
        sb.append("</ul>\n<h2>Headline figures</h2>\n<table>\n");
        h.forEach((k, v) -> {
            if (!(v instanceof Map)) {
                sb.append("<tr><td>").append(esc(k)).append("</td><td class=\"n\">").append(esc(format(v)))
                        .append("</td></tr>\n");
            }
        });
        sb.append("</table>\n");

        if (report.get("stages") instanceof Map<?, ?> st) {
            List<String> reused = RunSummary.reused((Map<String, Object>) st);
            if (!reused.isEmpty()) {
                sb.append("<h2>Reused stages</h2>\n<p>Outputs of an earlier run, complete and with the same ")
                        .append("fingerprint (config, inputs, code version), reused by <code>--resume</code>: ");
                for (int i = 0; i < reused.size(); i++) {
                    sb.append(i > 0 ? ", " : "").append("<code>").append(esc(reused.get(i))).append("</code>");
                }
                sb.append(".</p>\n");
            }
        }
        if (h.get("stage_seconds") instanceof Map<?, ?> secs && !secs.isEmpty()) {
            sb.append("<h2>Stage wall times</h2>\n").append(bars((Map<String, Object>) secs, "s"));
        }
        Map<String, Object> stages = (Map<String, Object>) report.get("stages");
        if (RunSummary.get(stages, "ingest", "dropped") instanceof Map<?, ?> dropped && !dropped.isEmpty()) {
            sb.append("<h2>Ingest: documents dropped, by rule</h2>\n").append(bars((Map<String, Object>) dropped, "docs"));
        }
        if (RunSummary.get(stages, "ingest", "languages") instanceof Map<?, ?> langs && !langs.isEmpty()) {
            Map<String, Object> perLanguage = new java.util.LinkedHashMap<>();
            langs.forEach((k, v) -> perLanguage.put(String.valueOf(k), v instanceof Map<?, ?> m ? m.get("documents") : v));
            sb.append("<h2>Ingest: documents by detected language</h2>\n").append(bars(perLanguage, "docs"));
        }
        List<double[]> curve = new ArrayList<>();
        Object rounds = RunSummary.get((Map<String, Object>) report.get("stages"), "train-bert", "rounds");
        if (rounds instanceof List<?> list) {
            for (Object r : list) {
                if (r instanceof Map<?, ?> m && m.get("examples_seen") instanceof Number x
                        && m.get("heldout_mlm_loss") instanceof Number y) {
                    curve.add(new double[] {x.doubleValue(), y.doubleValue()});
                }
            }
        }
        if (curve.size() >= 2) {
            sb.append("<h2>BERT held-out MLM loss</h2>\n")
                    .append(line(curve, "training instances seen", "held-out MLM loss (nats)"));
        }
        sb.append("<p>Details: <code>report.json</code>, <code>reports/&lt;stage&gt;.json</code>; plots of every ")
                .append("stage: the notebooks in <code>notebooks/</code> (set <code>PRETRAIN_RUN</code> to this folder).</p>\n")
                .append("</body></html>\n");
        return sb.toString();
    }

    /** Horizontal bars, one per entry, labelled with the value. */
    static String bars(Map<String, Object> values, String unit) {
        int rowH = 22;
        int labelW = 160;
        int barW = 420;
        double max = values.values().stream().mapToDouble(SummaryHtml::num).filter(Double::isFinite).max().orElse(1);
        StringBuilder sb = new StringBuilder();
        int height = rowH * values.size() + 10;
        sb.append(String.format(Locale.ROOT, "<svg width=\"%d\" height=\"%d\" role=\"img\">\n", labelW + barW + 90, height));
        int i = 0;
        for (Map.Entry<String, Object> e : values.entrySet()) {
            double v = num(e.getValue());
            double w = Double.isFinite(v) && max > 0 ? barW * v / max : 0;
            int y = 5 + i * rowH;
            sb.append(String.format(Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"12\">%s</text>"
                            + "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#4c78a8\"/>"
                            + "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%s %s</text>\n",
                    labelW - 6, y + 15, esc(e.getKey()), labelW, y + 3, w, rowH - 6, labelW + w + 4, y + 15,
                    esc(format(e.getValue())), unit));
            i++;
        }
        return sb.append("</svg>\n").toString();
    }

    /** A line with markers through (x, y) points, with axis ranges printed at the ends. */
    static String line(List<double[]> points, String xLabel, String yLabel) {
        int w = 560;
        int hgt = 260;
        int left = 60;
        int bottom = 40;
        double x0 = points.stream().mapToDouble(p -> p[0]).min().orElse(0);
        double x1 = points.stream().mapToDouble(p -> p[0]).max().orElse(1);
        double y0 = points.stream().mapToDouble(p -> p[1]).min().orElse(0);
        double y1 = points.stream().mapToDouble(p -> p[1]).max().orElse(1);
        double dx = x1 > x0 ? x1 - x0 : 1;
        double dy = y1 > y0 ? y1 - y0 : 1;
        int plotW = w - left - 20;
        int plotH = hgt - bottom - 10;
        StringBuilder pts = new StringBuilder();
        StringBuilder marks = new StringBuilder();
        for (double[] p : points) {
            double px = left + plotW * (p[0] - x0) / dx;
            double py = 10 + plotH * (1 - (p[1] - y0) / dy);
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            marks.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#4c78a8\"/>", px, py));
        }
        return String.format(Locale.ROOT,
                "<svg width=\"%d\" height=\"%d\" role=\"img\">\n"
                        + "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>"
                        + "<line x1=\"%d\" y1=\"10\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>\n"
                        + "<polyline fill=\"none\" stroke=\"#4c78a8\" stroke-width=\"2\" points=\"%s\"/>%s\n"
                        + "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>"
                        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>"
                        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>"
                        + "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>"
                        + "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>"
                        + "<text x=\"12\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 12 %d)\">%s</text>\n"
                        + "</svg>\n",
                w, hgt, left, 10 + plotH, left + plotW, 10 + plotH, left, left, 10 + plotH, pts.toString().trim(), marks,
                left, 10 + plotH + 14, esc(format(x0)), left + plotW, 10 + plotH + 14, esc(format(x1)),
                left - 4, 10 + plotH, esc(format(y0)), left - 4, 20, esc(format(y1)),
                left + plotW / 2, hgt - 4, esc(xLabel), 10 + plotH / 2, 10 + plotH / 2, esc(yLabel));
    }

    private static double num(Object v) {
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String format(Object v) {
        if (v instanceof Double d) {
            return Math.abs(d) >= 1000 || d == Math.rint(d) ? String.format(Locale.ROOT, "%.1f", d)
                    : String.format(Locale.ROOT, "%.4f", d);
        }
        return String.valueOf(v);
    }

    static String esc(Object o) {
        String s = String.valueOf(o);
        StringBuilder sb = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
