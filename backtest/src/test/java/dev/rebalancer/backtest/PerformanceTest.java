package dev.rebalancer.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.rebalancer.contracts.Strategies;
import dev.rebalancer.contracts.Weight;
import java.io.StringReader;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class PerformanceTest {

    /**
     * All in one asset, no spread: the index is the price path 100, 110, 99, 121 (5 to 8 January). Daily returns
     * +10 %, -10 %, +22.2 %; the deepest fall is from 110 on the 6th to 99 on the 7th, -10 %; over 3 calendar days
     * the index grew 21 %, so the CAGR is 1.21^(365.25 / 3) - 1. A $1,000 deposit on a day is not return.
     */
    @Test
    void returns_are_time_weighted_and_the_drawdown_names_its_days() throws Exception {
        Prices prices = Prices.fromCsv(new StringReader("""
                date,symbol,close
                2026-01-05,A,100
                2026-01-06,A,110
                2026-01-07,A,99
                2026-01-08,A,121
                """));

        Performance performance = Performance.of(Backtest.run(new Backtest.Config(List.of(Weight.asset("A", "100")),
                List.of(), Strategies.NONE, 0, new BigDecimal("10000"), BigDecimal.ZERO, BigDecimal.ZERO, 0), prices));

        assertThat(performance.maxDrawdown()).isCloseTo(-0.10, within(1e-9));
        assertThat(performance.drawdownPeak()).isEqualTo(LocalDate.parse("2026-01-06"));
        assertThat(performance.drawdownTrough()).isEqualTo(LocalDate.parse("2026-01-07"));
        assertThat(performance.cagr()).isCloseTo(Math.pow(1.21, 365.25 / 3) - 1, within(1e-6 * Math.pow(1.21,
                365.25 / 3)));
        double[] r = {0.10, -0.10, 121.0 / 99 - 1};
        double mean = (r[0] + r[1] + r[2]) / 3;
        double sd = Math.sqrt(((r[0] - mean) * (r[0] - mean) + (r[1] - mean) * (r[1] - mean)
                + (r[2] - mean) * (r[2] - mean)) / 2);
        assertThat(performance.volatility()).isCloseTo(sd * Math.sqrt(252), within(1e-9));
        assertThat(performance.sharpe()).isCloseTo(mean * 252 / (sd * Math.sqrt(252)), within(1e-9));
        assertThat(performance.orders()).isEqualTo(1);
    }

    @Test
    void a_deposit_is_not_a_return() throws Exception {
        Prices flat = Prices.fromCsv(new StringReader("""
                date,symbol,close
                2026-01-30,A,100
                2026-02-02,A,100
                2026-03-02,A,100
                """));

        Performance performance = Performance.of(Backtest.run(new Backtest.Config(List.of(Weight.asset("A", "100")),
                List.of(), Strategies.NONE, 0, new BigDecimal("10000"), new BigDecimal("1000"), BigDecimal.ZERO, 0),
                flat));

        assertThat(performance.cagr()).isCloseTo(0, within(1e-9));
        assertThat(performance.volatility()).isCloseTo(0, within(1e-9));
        assertThat(performance.maxDrawdown()).isCloseTo(0, within(1e-9));
    }
}
