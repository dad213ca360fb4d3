package dev.rebalancer.rules.market;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebalancer.contracts.VolatilityFilter;
import dev.rebalancer.contracts.VolatilityReading;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarketReadingsTest {

    private static final String VIX = """
            DATE,OPEN,HIGH,LOW,CLOSE
            12/01/2026,21.10,23.00,20.50,22.345
            12/02/2026,22.30,37.00,22.00,36.5
            a note Cboe added,,,,
            2026-12-03,36.00,36.00,30.00,
            """;

    @Test
    void every_day_of_cboes_file_is_read_and_lines_that_are_no_day_are_passed_over() {
        assertThat(VixHistory.closes(VIX)).containsExactly(
                java.util.Map.entry(LocalDate.of(2026, 12, 1), new BigDecimal("22.34")), // 22.345 to the cent, half to even
                java.util.Map.entry(LocalDate.of(2026, 12, 2), new BigDecimal("36.50")));
        VolatilityReading latest = VixHistory.latest(VIX, "file", Instant.parse("2026-12-03T21:00:00Z"));
        assertThat(latest.source()).isEqualTo(VolatilityFilter.Source.VIX);
        assertThat(latest.value()).isEqualByComparingTo("36.50");
        assertThat(latest.asOf()).isEqualTo(LocalDate.of(2026, 12, 2));
    }

    @Test
    void a_file_without_the_columns_or_without_a_day_is_refused_with_words() {
        assertThatThrownBy(() -> VixHistory.closes("Date,Price\n12/01/2026,20"))
                .hasMessageContaining("no DATE and CLOSE columns");
        assertThatThrownBy(() -> VixHistory.closes("DATE,CLOSE\nnot a day,x\n")).hasMessageContaining("no day");
        assertThatThrownBy(() -> VixHistory.closes("")).hasMessageContaining("empty");
    }

    @Test
    void realised_volatility_is_the_annualised_sample_deviation_of_twenty_log_returns() {
        // Closes 100, 101, 100, 101, ...: twenty returns of +ln(1.01) and -ln(1.01), mean 0; the sample deviation is
        // ln(1.01) * sqrt(20/19) = 0.0102088; times sqrt(252) and 100: 16.206 -> 16.21 %.
        List<BigDecimal> closes = new ArrayList<>();
        closes.add(new BigDecimal("500")); // older than the last 21 closes: not counted
        for (int i = 0; i <= 20; i++) {
            closes.add(i % 2 == 0 ? new BigDecimal("100") : new BigDecimal("101"));
        }
        assertThat(RealizedVolatility.of(closes)).contains(new BigDecimal("16.21"));
        assertThat(RealizedVolatility.of(closes.subList(2, closes.size()))).isEmpty(); // 20 closes: 19 returns
    }
}
