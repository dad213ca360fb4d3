package dev.rebalancer.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The opt-in strategies in a backtest: tax-loss harvesting, the volatility filter, whole-share assets. */
class StrategiesBacktestTest {

    /**
     * Worked out by hand. $10,000 all in VOO (pair VOO/VTI, harvest past a 5 % loss), no reserve, no spread.
     * <ul>
     * <li>Mon 5 Jan, VOO 100: the subscription buys 100 VOO.</li>
     * <li>Tue 6 Jan, VOO 90: a 10 % loss, but VOO was bought within 30 days: the drift monitor asks (its cost basis is
     * past the threshold), the executor's lots say no; nothing is sold.</li>
     * <li>Mon 9 Feb, VOO 90, VTI 95: 35 days on; the harvest sells 100 VOO for $9,000.00 (a $1,000.00 loss) and buys
     * VTI for what it brought: 9,000 / 95 = 94.736842105 VTI. VTI counts toward VOO's weight: no drift.</li>
     * <li>Tue 10 Feb, VTI 100: $9,473.68.</li>
     * </ul>
     */
    @Test
    void a_loss_past_the_threshold_is_harvested_into_the_substitute_once_the_wash_sale_window_allows() throws Exception {
        Prices prices = Prices.fromCsv(new StringReader("""
                date,symbol,close
                2026-01-05,VOO,100
                2026-01-05,VTI,100
                2026-01-06,VOO,90
                2026-01-06,VTI,95
                2026-02-09,VOO,90
                2026-02-09,VTI,95
                2026-02-10,VOO,95
                2026-02-10,VTI,100
                """));

        Backtest.Result result = Backtest.run(new Backtest.Config(List.of(Weight.asset("VOO", "100")), List.of(),
                new Strategies(null, TaxLossHarvesting.defaults()), 0, new BigDecimal("10000"), BigDecimal.ZERO,
                BigDecimal.ZERO, 0), prices);

        assertThat(result.days().get(0).quantities()).containsExactlyEntriesOf(Map.of("VOO",
                new BigDecimal("100.000000000")));
        assertThat(result.days().get(1).quantities()).containsExactlyEntriesOf(Map.of("VOO",
                new BigDecimal("100.000000000")));
        assertThat(result.days().get(2).runs()).contains(RunType.TAX_LOSS_HARVEST)
                .doesNotContain(RunType.FULL_REBALANCE);
        assertThat(result.days().get(2).quantities()).containsOnlyKeys("VTI");
        assertThat(result.days().get(2).quantities().get("VTI").doubleValue()).isCloseTo(94.736842105,
                within(1e-6));
        assertThat(result.harvestedLosses()).isEqualByComparingTo("1000.00");
        assertThat(result.orders()).isEqualTo(3);
        assertThat(result.days().get(3).equity().doubleValue()).isCloseTo(9_473.68, within(0.01));
        assertThat(result.days().get(3).runs()).isEmpty();
    }

    /**
     * A and B 50/50, band of 5 points, VIX filter at 30: on the 7th A breaches the band while the VIX of the day before
     * closed at 35 — deferred; on the 8th the reading is the 7th's 25 — rebalanced. The day deferred ends outside the
     * band.
     */
    @Test
    void while_the_vix_of_the_day_before_is_above_the_threshold_a_breach_waits() throws Exception {
        Prices prices = Prices.fromCsv(new StringReader("""
                date,symbol,close
                2026-01-05,A,100
                2026-01-05,B,100
                2026-01-06,A,100
                2026-01-06,B,100
                2026-01-07,A,130
                2026-01-07,B,100
                2026-01-08,A,130
                2026-01-08,B,100
                """));
        TreeMap<LocalDate, BigDecimal> vix = new TreeMap<>(Map.of(LocalDate.parse("2026-01-05"), new BigDecimal("20"),
                LocalDate.parse("2026-01-06"), new BigDecimal("35"), LocalDate.parse("2026-01-07"),
                new BigDecimal("25")));
        Strategies filtered = new Strategies(null, null, new VolatilityFilter(VolatilityFilter.Source.VIX,
                new BigDecimal("30"), null));

        Backtest.Result result = Backtest.run(new Backtest.Config(BacktestTest.HALF_HALF,
                List.of(BacktestTest.ABSOLUTE_5), filtered, 0, new BigDecimal("10000"), BigDecimal.ZERO,
                BigDecimal.ZERO, 0), prices, vix);

        assertThat(result.days()).extracting(Backtest.Day::runs).containsExactly(List.of(RunType.FULL_REBALANCE),
                List.of(), List.of(), List.of(RunType.FULL_REBALANCE));
        assertThat(result.daysDeferred()).isEqualTo(1);
        assertThat(result.daysOutsideBand()).isEqualTo(1);

        Backtest.Result unfiltered = Backtest.run(BacktestTest.config(BacktestTest.HALF_HALF,
                List.of(BacktestTest.ABSOLUTE_5)), prices);
        assertThat(unfiltered.days().get(2).runs()).containsExactly(RunType.FULL_REBALANCE);
        assertThat(unfiltered.daysDeferred()).isZero();
    }

    /**
     * The filter on SPY's realised volatility, from SPY's closes before each day: SPY swings between 100 and 110 every
     * day up to day 21, then stays at 100. A breaches its band on day 22 (A 130): the 20 returns before it are ±ln 1.1,
     * far above 30 % a year — deferred. On day 42 one return of ln 1.1 is still among the last 20 (sample deviation
     * 0.0213, 33.8 % a year): deferred. On day 43 all 20 are flat: 0 % — rebalanced. 21 days deferred.
     */
    @Test
    void on_spys_realised_volatility_a_breach_waits_until_twenty_calm_days() {
        Map<LocalDate, Map<String, BigDecimal>> closes = new TreeMap<>();
        LocalDate day = LocalDate.parse("2026-01-05");
        List<LocalDate> days = new java.util.ArrayList<>();
        for (int i = 0; i < 46; i++, day = day.plusDays(day.getDayOfWeek().getValue() == 5 ? 3 : 1)) {
            days.add(day);
            closes.put(day, Map.of("A", new BigDecimal(i < 22 ? "100" : "130"), "B", new BigDecimal("100"), "SPY",
                    new BigDecimal(i <= 21 && i % 2 == 1 ? "110" : "100")));
        }
        Strategies filtered = new Strategies(null, null, new VolatilityFilter(VolatilityFilter.Source.SPY_REALIZED_VOL,
                new BigDecimal("30"), null));

        Backtest.Result result = Backtest.run(new Backtest.Config(BacktestTest.HALF_HALF,
                List.of(BacktestTest.ABSOLUTE_5), filtered, 0, new BigDecimal("10000"), BigDecimal.ZERO,
                BigDecimal.ZERO, 0), new Prices(closes));

        assertThat(result.days().stream().filter(d -> d.runs().contains(RunType.FULL_REBALANCE))
                .map(Backtest.Day::date)).containsExactly(days.get(0), days.get(43));
        assertThat(result.daysDeferred()).isEqualTo(21);
        assertThat(result.days().get(43).quantities()).doesNotContainKey("SPY"); // SPY is read, never bought
    }

    /** A whole-share asset is bought in whole shares (Alpaca takes no fraction of it); the other in fractions. */
    @Test
    void a_whole_share_asset_is_held_in_whole_shares() throws Exception {
        Prices prices = Prices.fromCsv(new StringReader("""
                date,symbol,close
                2026-01-05,A,300
                2026-01-05,B,7
                2026-01-06,A,310
                2026-01-06,B,7
                """));

        Backtest.Result result = Backtest.run(new Backtest.Config(BacktestTest.HALF_HALF, List.of(), Strategies.NONE,
                0, new BigDecimal("1000"), BigDecimal.ZERO, BigDecimal.ZERO, 0, Set.of("A"),
                Backtest.Config.DEFAULT_BAND), prices);

        Map<String, BigDecimal> held = result.days().get(1).quantities();
        assertThat(held.get("A").stripTrailingZeros().scale()).isLessThanOrEqualTo(0);
        assertThat(held.get("A")).isPositive();
        assertThat(held.get("B").stripTrailingZeros().scale()).isPositive();
        assertThat(result.days().get(0).cash()).isNotNegative();
    }
}
