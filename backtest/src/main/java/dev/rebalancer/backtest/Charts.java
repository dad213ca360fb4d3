package dev.rebalancer.backtest;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * PNG charts of a backtest, drawn with Java's own 2D graphics (headless, no library): the equity curve of every policy
 * on one chart, each policy's drawdown from its peak (time-weighted, as {@link Performance} counts it), and, a chart a
 * policy, its allocation over time (each symbol's and cash's share of equity).
 */
public final class Charts {

    static final int WIDTH = 1200;
    static final int HEIGHT = 600;
    private static final int MARGIN = 70;
    static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f),
        new Color(0xbcbd22), new Color(0x17becf)};

    /** One line: a policy's name and its values, a value a day. */
    public record Series(String name, List<Double> values) {
    }

    private Charts() {
    }

    /**
     * Writes {@code equity.png}, {@code drawdown.png} and an {@code allocation-<policy>.png} per policy (its name with
     * anything but letters, digits, {@code -} and {@code +} made {@code _}) into {@code dir}; returns their paths.
     */
    public static List<Path> write(Path dir, List<String> dates, List<Series> equity, List<Series> drawdown,
            java.util.Map<String, List<Series>> allocations) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Path equityPng = dir.resolve("equity.png");
        ImageIO.write(chart("Equity", dates, equity, "$%,.0f"), "png", equityPng.toFile());
        written.add(equityPng);
        Path drawdownPng = dir.resolve("drawdown.png");
        ImageIO.write(chart("Drawdown from the peak", dates, drawdown, "%.0f%%"), "png", drawdownPng.toFile());
        written.add(drawdownPng);
        for (java.util.Map.Entry<String, List<Series>> policy : allocations.entrySet()) {
            Path png = dir.resolve("allocation-" + policy.getKey().replaceAll("[^A-Za-z0-9+\\-]", "_") + ".png");
            ImageIO.write(chart("Allocation: " + policy.getKey(), dates, policy.getValue(), "%.0f%%"), "png",
                    png.toFile());
            written.add(png);
        }
        return written;
    }

    /**
     * A policy's allocation day by day: each symbol it ever held, and cash, as a percentage of the day's equity at the
     * day's closes.
     */
    static List<Series> allocation(Backtest.Result result, Prices prices) {
        java.util.Set<String> symbols = new java.util.TreeSet<>();
        result.days().forEach(d -> symbols.addAll(d.quantities().keySet()));
        java.util.Map<String, List<Double>> shares = new java.util.LinkedHashMap<>();
        symbols.forEach(symbol -> shares.put(symbol, new ArrayList<>()));
        shares.put("cash", new ArrayList<>());
        for (Backtest.Day day : result.days()) {
            double equity = day.equity().doubleValue();
            java.util.Map<String, java.math.BigDecimal> closes = prices.days().get(day.date());
            for (String symbol : symbols) {
                java.math.BigDecimal qty = day.quantities().get(symbol);
                shares.get(symbol).add(qty == null || equity <= 0 ? 0
                        : qty.doubleValue() * closes.get(symbol).doubleValue() / equity * 100);
            }
            shares.get("cash").add(equity <= 0 ? 0 : day.cash().doubleValue() / equity * 100);
        }
        List<Series> series = new ArrayList<>();
        shares.forEach((name, values) -> series.add(new Series(name, values)));
        return series;
    }

    static BufferedImage chart(String title, List<String> dates, List<Series> series, String format) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        double min = series.stream().flatMap(s -> s.values().stream()).mapToDouble(Double::doubleValue).min()
                .orElse(0);
        double max = series.stream().flatMap(s -> s.values().stream()).mapToDouble(Double::doubleValue).max()
                .orElse(1);
        if (max - min < 1e-9) {
            max = min + 1;
        }
        int plotW = WIDTH - 2 * MARGIN;
        int plotH = HEIGHT - 2 * MARGIN;
        g.setColor(new Color(0xdddddd));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= 4; i++) {
            int y = MARGIN + plotH - i * plotH / 4;
            g.drawLine(MARGIN, y, MARGIN + plotW, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, format, min + (max - min) * i / 4), 5, y + 4);
            g.setColor(new Color(0xdddddd));
        }
        g.setColor(Color.DARK_GRAY);
        if (!dates.isEmpty()) {
            g.drawString(dates.get(0), MARGIN, HEIGHT - MARGIN + 20);
            g.drawString(dates.get(dates.size() - 1), MARGIN + plotW - 70, HEIGHT - MARGIN + 20);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, MARGIN, MARGIN - 30);
        g.setStroke(new BasicStroke(1.6f));
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int s = 0; s < series.size(); s++) {
            List<Double> values = series.get(s).values();
            g.setColor(COLORS[s % COLORS.length]);
            int points = values.size();
            int[] xs = new int[points];
            int[] ys = new int[points];
            for (int i = 0; i < points; i++) {
                xs[i] = MARGIN + (points == 1 ? 0 : (int) ((long) i * plotW / (points - 1)));
                ys[i] = MARGIN + plotH - (int) Math.round((values.get(i) - min) / (max - min) * plotH);
            }
            g.drawPolyline(xs, ys, points);
            g.fillRect(MARGIN + plotW - 200, MARGIN + 10 + s * 18, 12, 12);
            g.drawString(series.get(s).name(), MARGIN + plotW - 182, MARGIN + 21 + s * 18);
        }
        g.dispose();
        return image;
    }

    /** A policy's drawdown day by day, in percent: the time-weighted index against its peak so far. */
    static List<Double> drawdown(Backtest.Result result) {
        List<Double> drawdown = new ArrayList<>();
        double peak = 0;
        for (double index : Performance.index(result)) {
            peak = Math.max(peak, index);
            drawdown.add((index / peak - 1) * 100);
        }
        return drawdown;
    }
}
