package dev.rebalancer.notifier.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartsTest {

    @Test
    void a_short_message_is_one_part_with_a_bold_title() {
        Parts parts = new Parts("Order rejected", List.of("buy TLT $4,500.00", "insufficient buying power"));

        assertThat(parts.count()).isEqualTo(1);
        assertThat(parts.part(0, false)).isEqualTo("*Order rejected*\nbuy TLT $4,500\\.00\ninsufficient buying power");
        assertThat(parts.part(0, true)).isEqualTo("Order rejected\nbuy TLT $4,500.00\ninsufficient buying power");
    }

    @Test
    void a_long_message_is_split_at_line_boundaries_into_parts_of_at_most_4096_characters() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            lines.add("• sell S" + i + " 12.345678901 sh — filled, 12.345678901 @ $101.25 (order-" + i + ")");
        }
        Parts parts = new Parts("Run COMPLETED_ADJUSTED: full_rebalance", lines);

        assertThat(parts.count()).isGreaterThan(1);
        List<String> plainLines = new ArrayList<>();
        for (int p = 0; p < parts.count(); p++) {
            assertThat(parts.part(p, false).length()).isLessThanOrEqualTo(4096);
            assertThat(parts.part(p, true).length()).isLessThanOrEqualTo(4096);
            assertThat(parts.part(p, false)).doesNotEndWith("\n").doesNotStartWith("\n");
            plainLines.addAll(Arrays.asList(parts.part(p, true).split("\n", -1)));
        }
        List<String> expected = new ArrayList<>();
        expected.add("Run COMPLETED_ADJUSTED: full_rebalance");
        expected.addAll(lines);
        assertThat(plainLines).as("every line once, whole, in order").isEqualTo(expected);
    }

    @Test
    void a_line_longer_than_a_part_is_cut_and_still_fits_when_every_character_is_escaped() {
        String line = ".".repeat(9000);
        Parts parts = new Parts("t", List.of(line));

        StringBuilder rejoined = new StringBuilder();
        for (int p = 0; p < parts.count(); p++) {
            assertThat(parts.part(p, false).length()).isLessThanOrEqualTo(4096);
            String plain = parts.part(p, true);
            rejoined.append(p == 0 ? plain.substring(2) : plain);
        }
        assertThat(rejoined.toString().replace("\n", "")).isEqualTo(line);
    }

    @Test
    void a_caption_keeps_the_lines_that_fit_in_1024_characters_and_says_the_rest_is_cut() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            lines.add("SPY" + i + " 58.20% (target 60.00% ±5.00) ok");
        }
        Parts caption = Parts.caption("Drift of main", lines);

        assertThat(caption.count()).isEqualTo(1);
        String shown = caption.part(0, true);
        assertThat(shown.length()).isLessThanOrEqualTo(Parts.CAPTION_LIMIT);
        assertThat(shown).startsWith("Drift of main\nSPY0 ").endsWith("\n…");
        assertThat(Parts.fitsCaption("Drift of main", lines)).isFalse();
        assertThat(Parts.fitsCaption("Drift of main", lines.subList(0, 5))).isTrue();
        assertThat(Parts.caption("Drift of main", lines.subList(0, 5)).part(0, true)).doesNotContain("…");
    }
}
