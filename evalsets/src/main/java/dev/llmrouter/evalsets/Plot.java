package dev.llmrouter.evalsets;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** Quality against cost per 1,000 requests for every router of a report, and each priced single model. */
final class Plot {
    private static final int WIDTH = 960;
    private static final int HEIGHT = 620;
    private static final int LEFT = 80;
    private static final int RIGHT = 230;
    private static final int TOP = 50;
    private static final int BOTTOM = 70;
    private static final Map<String, Color> COLORS = Map.of(
            "router", new Color(0x1f77b4),
            "random", new Color(0x7f7f7f),
            "length", new Color(0xff7f0e),
            "oracle", new Color(0x2ca02c),
            "always_cheap", Color.BLACK,
            "always_strong", Color.BLACK);

    private Plot() {}

    static byte[] render(EvalReport report) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        int n = Math.max(1, report.meta().records());
        List<double[]> all = new ArrayList<>();
        report.routers().values().forEach(r -> r.curve()
                .forEach(p -> all.add(new double[] {per1k(p, n), p.quality()})));
        report.models().forEach(m -> m.costPer1k().ifPresent(c -> all.add(new double[] {c, m.quality()})));
        double maxX = all.stream().mapToDouble(p -> p[0]).max().orElse(1) * 1.05;
        double minY = all.stream().mapToDouble(p -> p[1]).min().orElse(0);
        double maxY = all.stream().mapToDouble(p -> p[1]).max().orElse(1);
        double padY = Math.max(0.01, (maxY - minY) * 0.08);
        Frame frame = new Frame(0, maxX <= 0 ? 1 : maxX, Math.max(0, minY - padY), Math.min(1.0, maxY + padY));
        axes(g, frame, report);
        int legendY = TOP + 10;
        for (Map.Entry<String, RouterScore> e : report.routers().entrySet()) {
            Color color = COLORS.getOrDefault(e.getKey(), Color.MAGENTA);
            g.setColor(color);
            List<CurvePoint> curve = e.getValue().curve().stream()
                    .sorted(Comparator.comparingDouble(CurvePoint::costUsd))
                    .toList();
            if (curve.size() == 1) {
                marker(
                        g,
                        frame.x(per1k(curve.getFirst(), n)),
                        frame.y(curve.getFirst().quality()),
                        9);
            } else {
                g.setStroke(
                        e.getKey().equals("random")
                                ? new BasicStroke(
                                        1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1, new float[] {6, 4}, 0)
                                : new BasicStroke(e.getKey().equals("router") ? 2.5f : 1.8f));
                for (int i = 1; i < curve.size(); i++) {
                    g.drawLine(
                            frame.x(per1k(curve.get(i - 1), n)),
                            frame.y(curve.get(i - 1).quality()),
                            frame.x(per1k(curve.get(i), n)),
                            frame.y(curve.get(i).quality()));
                }
            }
            g.fillRect(WIDTH - RIGHT + 20, legendY - 8, 14, 8);
            g.setColor(Color.DARK_GRAY);
            g.drawString(label(e.getKey(), e.getValue()), WIDTH - RIGHT + 40, legendY);
            legendY += 20;
        }
        RouterScore router = report.routers().get("router");
        if (router != null) {
            g.setColor(COLORS.get("router"));
            double x = router.costUsd() / n * 1000;
            marker(g, frame.x(x), frame.y(router.quality()), 12);
            g.drawString("configured", frame.x(x) + 8, frame.y(router.quality()) - 8);
        }
        g.setColor(new Color(0x9467bd));
        for (Pareto.ModelPoint m : report.models()) {
            if (m.costPer1k().isPresent()) {
                int px = frame.x(m.costPer1k().get());
                int py = frame.y(m.quality());
                g.drawOval(px - 4, py - 4, 8, 8);
                if (m.onFrontier()) {
                    g.drawString(shortName(m.model()), px + 6, py + 4);
                }
            }
        }
        g.dispose();
        try (ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            ImageIO.write(image, "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the plot", e);
        }
    }

    private record Frame(double minX, double maxX, double minY, double maxY) {
        int x(double value) {
            return LEFT + (int) Math.round((value - minX) / (maxX - minX) * (WIDTH - LEFT - RIGHT));
        }

        int y(double value) {
            return HEIGHT - BOTTOM - (int) Math.round((value - minY) / (maxY - minY) * (HEIGHT - TOP - BOTTOM));
        }
    }

    private static void axes(Graphics2D g, Frame f, EvalReport report) {
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(1));
        g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= 5; i++) {
            double xv = f.minX() + i * (f.maxX() - f.minX()) / 5;
            double yv = f.minY() + i * (f.maxY() - f.minY()) / 5;
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(f.x(xv), TOP, f.x(xv), HEIGHT - BOTTOM);
            g.drawLine(LEFT, f.y(yv), WIDTH - RIGHT, f.y(yv));
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "%.3g", xv), f.x(xv) - 14, HEIGHT - BOTTOM + 18);
            g.drawString(String.format(Locale.ROOT, "%.3f", yv), LEFT - 48, f.y(yv) + 4);
        }
        g.drawString("cost per 1,000 requests (USD)", LEFT + (WIDTH - LEFT - RIGHT) / 2 - 80, HEIGHT - 25);
        g.drawString("quality", 12, TOP - 12);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(
                String.join(", ", report.meta().data()) + ": " + report.meta().cheap() + " vs "
                        + report.meta().strong() + " (" + report.meta().records() + " records)",
                LEFT,
                28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    }

    private static void marker(Graphics2D g, int x, int y, int size) {
        g.fillOval(x - size / 2, y - size / 2, size, size);
    }

    private static double per1k(CurvePoint p, int records) {
        return p.costUsd() / records * 1000;
    }

    private static String label(String key, RouterScore score) {
        return key
                + score.apgr()
                        .map(a -> String.format(Locale.ROOT, " (APGR %.3f)", a))
                        .orElse("");
    }

    private static String shortName(String model) {
        int slash = model.lastIndexOf('/');
        return slash >= 0 ? model.substring(slash + 1) : model;
    }
}
