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
