package dev.rebalancer.notifier.console;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Allocation against target as a PNG: a bar per weight, its height the current percent of equity on a 0–100 % scale,
 * the band around the target shaded behind it, the target marked by a tick on each side of the bar; a bar past its
 * band is red. The chart carries no text (a server or slim image may have no fonts): the caption sent with it names
 * the weights, in the chart's order, with their numbers.
 */
public final class AllocationChart {

    public static final int WIDTH = 640;
    public static final int HEIGHT = 360;
    /** The plot: 0 % at {@link #BASELINE} (the first row below the bars), 100 % {@link #PLOT_HEIGHT} rows above it. */
    public static final int BASELINE = HEIGHT - 20;
    public static final int PLOT_HEIGHT = 320;
    static final int LEFT = 20;
    static final int RIGHT = WIDTH - 20;
    public static final Color BACKGROUND = Color.WHITE;
    public static final Color BAND = new Color(0xD6, 0xE4, 0xF0);
    public static final Color BAR = new Color(0x2E, 0x6F, 0xB7);
    public static final Color BREACHED = new Color(0xC0, 0x39, 0x2B);
    public static final Color TARGET = Color.BLACK;

    /** One weight: percents of equity; {@code breached}: past its band. */
    public record Bar(BigDecimal currentPercent, BigDecimal targetPercent, BigDecimal bandPercent, boolean breached) {
    }

    private AllocationChart() {
    }

    /** The x range of weight {@code index}'s slot of {@code count}: [from, to). */
    public static int[] slot(int index, int count) {
        int width = (RIGHT - LEFT) / count;
        return new int[] {LEFT + index * width, LEFT + (index + 1) * width};
    }

    /** The bar's x range inside its slot: the middle 60 %. */
    public static int[] bar(int index, int count) {
        int[] slot = slot(index, count);
        int width = slot[1] - slot[0];
        return new int[] {slot[0] + width / 5, slot[1] - width / 5};
    }

    /** Rows of the plot a percent stands for, rounded half up. */
    public static int rows(BigDecimal percent) {
        BigDecimal clamped = percent.max(BigDecimal.ZERO).min(BigDecimal.valueOf(100));
        return clamped.multiply(BigDecimal.valueOf(PLOT_HEIGHT)).divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_UP)
                .intValueExact();
    }

    public static byte[] png(List<Bar> bars) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            for (int i = 0; i < bars.size(); i++) {
                Bar bar = bars.get(i);
                int[] slot = slot(i, bars.size());
                int[] x = bar(i, bars.size());
                int low = rows(bar.targetPercent().subtract(bar.bandPercent()));
                int high = rows(bar.targetPercent().add(bar.bandPercent()));
                g.setColor(BAND);
                g.fillRect(slot[0] + 2, BASELINE - high, slot[1] - slot[0] - 4, high - low);
                int height = rows(bar.currentPercent());
                g.setColor(bar.breached() ? BREACHED : BAR);
                g.fillRect(x[0], BASELINE - height, x[1] - x[0], height);
                int target = BASELINE - rows(bar.targetPercent());
                g.setColor(TARGET);
                g.fillRect(slot[0] + 2, target - 1, x[0] - slot[0] - 2, 3);
                g.fillRect(x[1], target - 1, slot[1] - 2 - x[1], 3);
            }
            g.setColor(Color.GRAY);
            g.fillRect(LEFT, BASELINE, RIGHT - LEFT, 1);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
