package dev.rebalancer.notifier.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class MarkdownV2Test {

    /** Telegram's list (formatting options, MarkdownV2), one by one, and the backslash itself. */
    @ParameterizedTest
    @ValueSource(chars = {'_', '*', '[', ']', '(', ')', '~', '`', '>', '#', '+', '-', '=', '|', '{', '}', '.', '!',
            '\\'})
    void every_reserved_character_is_escaped_with_a_backslash(char reserved) {
        assertThat(MarkdownV2.escape("a" + reserved + "b")).isEqualTo("a\\" + reserved + "b");
        assertThat(MarkdownV2.escape(String.valueOf(reserved) + reserved)).isEqualTo("\\" + reserved + "\\" + reserved);
    }

    @ParameterizedTest
    @ValueSource(chars = {'a', 'Z', '0', ' ', '$', '%', ',', ':', ';', '/', '?', '@', '&', '\'', '"', '<', '^', '€'})
    void other_characters_are_left_as_they_are(char plain) {
        assertThat(MarkdownV2.escape("x" + plain)).isEqualTo("x" + plain);
    }

    @Test
    void the_reserved_set_is_exactly_telegrams() {
        assertThat(MarkdownV2.RESERVED.chars().distinct().count()).isEqualTo(19);
    }

    @Test
    void amounts_and_reasons_read_as_written() {
        assertThat(MarkdownV2.escape("sell SPY 1.5 sh — filled, -3.25% (drift_band)!"))
                .isEqualTo("sell SPY 1\\.5 sh — filled, \\-3\\.25% \\(drift\\_band\\)\\!");
        assertThat(MarkdownV2.bold("Run ERROR: invest_cash")).isEqualTo("*Run ERROR: invest\\_cash*");
    }
}
