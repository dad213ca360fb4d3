package dev.rebalancer.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChartsTest {

    /** A rising and a falling line: each is drawn in its own colour where it is, the rising one ending top right. */
    @Test
    void each_series_is_drawn_in_its_colour_where_its_values_are() {
        List<Double> rising = List.of(0.0, 25.0, 50.0, 75.0, 100.0);
        List<Double> falling = List.of(100.0, 75.0, 50.0, 25.0, 0.0);

        BufferedImage image = Charts.chart("test", List.of("2026-01-05", "2026-01-09"), List.of(
                new Charts.Series("rising", rising), new Charts.Series("falling", falling)), "%.0f");

        int left = 75;
        int top = 75;
        int bottom = Charts.HEIGHT - 75;
        assertThat(colourNear(image, left, bottom)).as("rising starts bottom left").isEqualTo(Charts.COLORS[0]
                .getRGB() & 0xffffff);
        assertThat(colourNear(image, left, top)).as("falling starts top left").isEqualTo(Charts.COLORS[1]
                .getRGB() & 0xffffff);
    }

    /**
     * The hand-worked case of {@link BacktestTest}: 50 A and 50 B at $100 on the 5th; on the 6th A closes at 120, so A
     * is 6,000 of 11,000 (54.5 %), B 45.5 %, cash nothing.
     */
    @Test
    void the_allocation_is_each_symbols_share_of_the_days_equity() throws Exception {
        Prices prices = Prices.fromCsv(new java.io.StringReader("""
                date,symbol,close
                2026-01-05,A,100
                2026-01-05,B,100
                2026-01-06,A,120
                2026-01-06,B,100
                """));

        List<Charts.Series> allocation = Charts.allocation(Backtest.run(BacktestTest.config(BacktestTest.HALF_HALF,
                List.of(BacktestTest.ABSOLUTE_5)), prices), prices);

        assertThat(allocation).extracting(Charts.Series::name).containsExactly("A", "B", "cash");
        assertThat(allocation.get(0).values().get(0)).isCloseTo(50, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(allocation.get(0).values().get(1)).isCloseTo(600.0 / 11, org.assertj.core.api.Assertions
                .within(1e-6));
        assertThat(allocation.get(1).values().get(1)).isCloseTo(500.0 / 11, org.assertj.core.api.Assertions
                .within(1e-6));
        assertThat(allocation.get(2).values()).allSatisfy(cash -> assertThat(cash).isCloseTo(0,
                org.assertj.core.api.Assertions.within(1e-9)));
    }

    /** The colour of a series found within a few pixels of a point, or -1. */
    private static int colourNear(BufferedImage image, int x, int y) {
        for (int dx = -8; dx <= 8; dx++) {
            for (int dy = -8; dy <= 8; dy++) {
                int rgb = image.getRGB(x + dx, y + dy) & 0xffffff;
                for (java.awt.Color colour : Charts.COLORS) {
                    if (rgb == (colour.getRGB() & 0xffffff)) {
                        return rgb;
                    }
                }
            }
        }
        return -1;
    }
}
