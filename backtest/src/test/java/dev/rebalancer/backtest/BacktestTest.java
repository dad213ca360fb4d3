package dev.rebalancer.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rebalancer.contracts.ConditionSubType;
import dev.rebalancer.contracts.ConditionType;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Strategies;
import dev.rebalancer.contracts.TaxLossHarvesting;
import dev.rebalancer.contracts.VolatilityFilter;
import dev.rebalancer.contracts.Weight;
import java.io.StringReader;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class BacktestTest {

    static final RebalanceCondition ABSOLUTE_5 = new RebalanceCondition(ConditionType.DRIFT_BAND,
            ConditionSubType.ABSOLUTE, new BigDecimal("5"), null);
    static final List<Weight> HALF_HALF = List.of(Weight.asset("A", "50"), Weight.asset("B", "50"));

    static Backtest.Config config(List<Weight> weights, List<RebalanceCondition> conditions) {
        return new Backtest.Config(weights, conditions, Strategies.NONE, 0, new BigDecimal("10000"), BigDecimal.ZERO,
                BigDecimal.ZERO, 0);
    }

    /**
     * Worked out by hand. $10,000 in A and B, 50 % each, absolute band of 5 points, no reserve, no spread.
     * <ul>
     * <li>Mon 5 Jan, A 100, B 100: the subscription's rebalance buys $5,000 of each: 50 A, 50 B, no cash left.</li>
     * <li>Tue 6 Jan, A 120: A is $6,000 of $11,000, 54.5 %: inside 45–55, nothing.</li>
     * <li>Wed 7 Jan, A 130: A is $6,500 of $11,500, 56.5 %: past the band. To $5,750 each: sell $750 of A
     * (750 / 130 = 5.769230769 shares), then buy B for the $750.00 the sell brought (7.5 shares at 100).</li>
     * <li>Thu 8 Jan, B 110: 44.230769231 × 130 + 57.5 × 110 = 5,750.00 + 6,325.00 = $12,075.00.</li>
     * </ul>
     * Four orders, $11,500 traded.
     */
    @Test
    void a_two_asset_band_policy_rebalances_on_the_day_it_breaches_and_ends_where_the_hand_says() throws Exception {
        Prices prices = Prices.fromCsv(new StringReader("""
                date,symbol,close
                2026-01-05,A,100
                2026-01-05,B,100
                2026-01-06,A,120
                2026-01-06,B,100
                2026-01-07,A,130
                2026-01-07,B,100
                2026-01-08,A,130
                2026-01-08,B,110
                """));

        Backtest.Result result = Backtest.run(config(HALF_HALF, List.of(ABSOLUTE_5)), prices);

        assertThat(result.days()).extracting(Backtest.Day::runs).containsExactly(List.of(RunType.FULL_REBALANCE),
                List.of(), List.of(RunType.FULL_REBALANCE), List.of());
        assertThat(result.days().get(0).quantities()).containsExactlyInAnyOrderEntriesOf(Map.of("A",
                new BigDecimal("50.000000000"), "B", new BigDecimal("50.000000000")));
        Backtest.Day last = result.days().get(3);
        assertThat(last.quantities().get("A").doubleValue()).isCloseTo(44.230769231, within(1e-6));
        assertThat(last.quantities().get("B").doubleValue()).isCloseTo(57.5, within(1e-6));
        assertThat(last.equity().doubleValue()).isCloseTo(12_075.00, within(0.01));
        assertThat(last.cash().doubleValue()).isCloseTo(0, within(0.01));
        assertThat(result.orders()).isEqualTo(4);
        assertThat(result.turnover().doubleValue()).isCloseTo(11_500, within(0.01));
        assertThat(result.paidIn()).isEqualByComparingTo("10000");
        assertThat(result.daysOutsideBand()).isZero(); // the 7th's breach was rebalanced the same day, at its close
    }

    @Test
    void without_conditions_the_portfolio_is_bought_once_and_follows_the_prices() {
        Map<LocalDate, Map<String, BigDecimal>> closes = new TreeMap<>();
        LocalDate day = LocalDate.parse("2026-01-05");
        for (int i = 0; i < 250; i++, day = day.plusDays(day.getDayOfWeek().getValue() == 5 ? 3 : 1)) {
            closes.put(day, Map.of("A", BigDecimal.valueOf(100 + 30 * Math.sin(i / 17.0)).setScale(2,
                    java.math.RoundingMode.HALF_EVEN), "B", BigDecimal.valueOf(50 + i * 0.1).setScale(2,
                    java.math.RoundingMode.HALF_EVEN)));
        }
        List<Weight> sixtyForty = List.of(Weight.asset("A", "60"), Weight.asset("B", "40"));

        Backtest.Result result = Backtest.run(config(sixtyForty, List.of()), new Prices(closes));

        Map<String, BigDecimal> first = closes.get(LocalDate.parse("2026-01-05"));
        assertThat(result.days()).allSatisfy(d -> {
            Map<String, BigDecimal> close = closes.get(d.date());
            double path = 6000 * close.get("A").doubleValue() / first.get("A").doubleValue()
                    + 4000 * close.get("B").doubleValue() / first.get("B").doubleValue();
            assertThat(d.equity().doubleValue()).as(d.date().toString()).isCloseTo(path, within(0.01));
        });
        assertThat(result.days().stream().filter(d -> !d.runs().isEmpty())).singleElement()
                .satisfies(d -> assertThat(d.date()).isEqualTo(LocalDate.parse("2026-01-05")));
        assertThat(result.orders()).isEqualTo(2);
        // Measured against the default band (5 points): the days A's weight, held since the first day, is past 55 or 65.
        long outside = closes.keySet().stream().filter(d -> {
            double a = 6000 * closes.get(d).get("A").doubleValue() / first.get("A").doubleValue();
            double b = 4000 * closes.get(d).get("B").doubleValue() / first.get("B").doubleValue();
            return Math.abs(100 * a / (a + b) - 60) > 5;
        }).count();
        assertThat(outside).isPositive();
        assertThat(result.daysOutsideBand()).isEqualTo((int) outside);
    }

    @Test
    void a_deposit_is_invested_on_the_first_trading_day_of_each_month() throws Exception {
        Prices prices = Prices.fromCsv(new StringReader("""
                date,symbol,close
                2026-01-30,A,100
                2026-01-30,B,100
                2026-02-02,A,100
                2026-02-02,B,100
                2026-02-03,A,100
                2026-02-03,B,100
                """));

        Backtest.Result result = Backtest.run(new Backtest.Config(HALF_HALF, List.of(ABSOLUTE_5), Strategies.NONE, 0,
                new BigDecimal("10000"), new BigDecimal("1000"), BigDecimal.ZERO, 0), prices);

        assertThat(result.days()).extracting(Backtest.Day::runs).containsExactly(List.of(RunType.FULL_REBALANCE),
                List.of(RunType.INVEST_CASH), List.of());
        assertThat(result.days().get(1).quantities()).containsExactlyInAnyOrderEntriesOf(Map.of("A",
                new BigDecimal("55.000000000"), "B", new BigDecimal("55.000000000")));
        assertThat(result.paidIn()).isEqualByComparingTo("11000");
    }

    @Test
    void bad_input_is_refused_with_what_is_wrong() {
        assertThatThrownBy(() -> Prices.fromCsv(new StringReader("day,ticker,price\n")))
                .hasMessageContaining("line 1: the header must be date,symbol,close");
        assertThatThrownBy(() -> Prices.fromCsv(new StringReader("date,symbol,close\n2026-01-05,A,-3\n")))
                .hasMessageContaining("line 2: a close must be positive");
        assertThatThrownBy(() -> Prices.fromCsv(new StringReader("date,symbol,close\n2026-01-32,A,3\n")))
                .hasMessageStartingWith("line 2:");
        Prices onlyVoo = new Prices(Map.of(LocalDate.parse("2026-01-05"), Map.of("VOO", BigDecimal.TEN)));
        assertThatThrownBy(() -> Backtest.run(new Backtest.Config(List.of(Weight.asset("VOO", "100")), List.of(),
                new Strategies(null, TaxLossHarvesting.defaults()), 0, BigDecimal.TEN, BigDecimal.ZERO,
                BigDecimal.ZERO, 0), onlyVoo)).hasMessageStartingWith("no close of VTI on 2026-01-05");
        assertThatThrownBy(() -> Backtest.run(new Backtest.Config(List.of(Weight.asset("VOO", "100")), List.of(),
                new Strategies(null, null, new VolatilityFilter(VolatilityFilter.Source.VIX, null, null)), 0,
                BigDecimal.TEN, BigDecimal.ZERO, BigDecimal.ZERO, 0), onlyVoo))
                .hasMessageContaining("give its daily closes");
        assertThatThrownBy(() -> Backtest.run(new Backtest.Config(List.of(Weight.asset("VOO", "100")), List.of(),
                new Strategies(null, null, new VolatilityFilter(VolatilityFilter.Source.SPY_REALIZED_VOL, null,
                        null)), 0, BigDecimal.TEN, BigDecimal.ZERO, BigDecimal.ZERO, 0), onlyVoo))
                .hasMessageStartingWith("no close of SPY on 2026-01-05");
    }
}
