package dev.rebalancer.notifier.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The chart decoded as a user's phone would: its size, and bars whose pixel heights follow the percentages. */
class AllocationChartTest {

    private static final int BAR = 0x2e6fb7;
    private static final int BREACHED = 0xc0392b;
    private static final int TARGET = 0x000000;
    private static final int BAND = 0xd6e4f0;

    @Test
    void each_bar_is_as_tall_as_its_percent_of_a_100_percent_scale_red_when_past_its_band() throws Exception {
        List<AllocationChart.Bar> bars = List.of(
                new AllocationChart.Bar(new BigDecimal("4.70"), new BigDecimal("5"), new BigDecimal("1"), false),
                new AllocationChart.Bar(new BigDecimal("71.25"), new BigDecimal("60"), new BigDecimal("5"), true),
                new AllocationChart.Bar(new BigDecimal("24.05"), new BigDecimal("35"), new BigDecimal("5"), true));

        BufferedImage image = ImageIO.read(new ByteArrayInputStream(AllocationChart.png(bars)));

        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(360);
        // 320 rows stand for 100 %: 4.70 % → 15.04 rows, 71.25 % → 228 rows, 24.05 % → 76.96 rows.
        List<int[]> found = bars(image, 339);
        assertThat(found).hasSize(3);
        assertThat(found.get(0)[1]).isEqualTo(15);
        assertThat(found.get(1)[1]).isEqualTo(228);
        assertThat(found.get(2)[1]).isEqualTo(77);
        assertThat(found).extracting(b -> b[2]).containsExactly(BAR, BREACHED, BREACHED);
        // Each bar's heights are in proportion to each other, whatever the scale.
        assertThat(found.get(1)[1] / (double) found.get(2)[1]).isCloseTo(71.25 / 24.05,
                org.assertj.core.data.Offset.offset(0.02));

        // The target: a tick beside the bar at the target's height (60 % → 192 rows up); the band shaded behind,
        // from 55 % to 65 % (176 to 208 rows up), above the bar where the bar is lower than the band's top.
        int left = found.get(1)[0] - 5;
        assertThat(rgb(image, left, 340 - 192)).isEqualTo(TARGET);
        assertThat(rgb(image, left, 340 - 180)).isEqualTo(BAND);
        assertThat(rgb(image, left, 340 - 205)).isEqualTo(BAND);
        assertThat(rgb(image, left, 340 - 215)).isEqualTo(0xffffff);
        int third = found.get(2)[0] + 3;
        assertThat(rgb(image, third, 340 - 100)).as("band above a bar below it").isEqualTo(BAND);
    }

    @Test
    void percents_outside_zero_to_a_hundred_are_drawn_at_the_edges() throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(AllocationChart.png(List.of(
                new AllocationChart.Bar(new BigDecimal("104"), new BigDecimal("100"), new BigDecimal("0"), false),
                new AllocationChart.Bar(new BigDecimal("-4"), new BigDecimal("0"), new BigDecimal("0"), false)))));

        List<int[]> found = bars(image, 339);
        assertThat(found).hasSize(1);
        assertThat(found.get(0)[1]).isEqualTo(320);
    }

    /** Bars along the row: {x of its left edge, its height in rows up from {@code row}, its colour}. */
    private static List<int[]> bars(BufferedImage image, int row) {
        List<int[]> bars = new ArrayList<>();
        int x = 0;
        while (x < image.getWidth()) {
            int colour = rgb(image, x, row);
            if (colour != BAR && colour != BREACHED) {
                x++;
                continue;
            }
            int from = x;
            while (x < image.getWidth() && rgb(image, x, row) == colour) {
                x++;
            }
            int middle = (from + x) / 2;
            int height = 0;
            while (row - height >= 0 && rgb(image, middle, row - height) == colour) {
                height++;
            }
            bars.add(new int[] {from, height, colour});
        }
        return bars;
    }

    private static int rgb(BufferedImage image, int x, int y) {
        return image.getRGB(x, y) & 0xffffff;
    }
}
