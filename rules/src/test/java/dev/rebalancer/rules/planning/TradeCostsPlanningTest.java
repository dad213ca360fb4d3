package dev.rebalancer.rules.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.ConditionSubType;
import dev.rebalancer.contracts.ConditionType;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.SkippedOrder;
import dev.rebalancer.contracts.TradeCosts;
import dev.rebalancer.contracts.Weight;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** "Trades only where they pay", worked by hand: goals, the band's edge, the cost test. */
class TradeCostsPlanningTest {

    private final Planner planner = new Planner(0);
    private final Map<String, Asset> assets = Map.of(
            "SPY", new Asset("SPY", d("100"), true),
            "TLT", new Asset("TLT", d("50"), true),
            "GLD", new Asset("GLD", d("200"), true));
    private static final List<RebalanceCondition> FIVE_POINTS = List.of(new RebalanceCondition(ConditionType.DRIFT_BAND,
            ConditionSubType.ABSOLUTE, d("5"), null));

    private static BigDecimal d(String value) {
        return new BigDecimal(value);
    }

    private static TradeCosts costs(String minTradeUsd, String maxCostPercent, boolean skipInside,
            TradeCosts.RebalanceTo to) {
        return new TradeCosts(d(minTradeUsd), BigDecimal.ZERO, Map.of("us_equity", d("2")), BigDecimal.ZERO,
                d(maxCostPercent), skipInside, to);
    }

    @Test
    void all_cash_to_the_band_edge_buys_to_a_dollar_inside_the_lower_edge() {
        // Equity $10,000 in cash; SPY 20 % ± 5: its lower edge is 15 % = $1,500, a dollar inside is $1,501.
        Plan plan = planner.fullRebalance(new Planner.Book(d("10000.00"), List.of()),
                List.of(Weight.asset("SPY", "20"), Weight.cash("80")), assets,
                new Planner.Policy(FIVE_POINTS, costs("0", "1", true, TradeCosts.RebalanceTo.BAND_EDGE)));

        assertThat(plan.sells()).isEmpty();
        assertThat(plan.buys()).singleElement().satisfies(buy -> {
            assertThat(buy.symbol()).isEqualTo("SPY");
            assertThat(buy.notional()).isEqualByComparingTo("1501.00");
        });
    }

    @Test
    void cash_past_its_band_moves_the_weights_inside_theirs_toward_their_targets() {
        // Equity $1,000 in cash; A 10 %, B 10 %, C 80 %, each ± 10 points, cash 0 % ± 10. A and B are on their bands'
        // edges (0 % against 10 %) and stay; C goes to its target, $800. That leaves $200, 20 % in cash, past its
        // band: A and B are moved to their targets, $100 each, the furthest first (they tie: A, then B).
        Map<String, Asset> cheap = Map.of("A", new Asset("A", d("0.50"), true), "B", new Asset("B", d("0.50"), true),
                "C", new Asset("C", d("0.50"), true));
        Plan plan = planner.fullRebalance(new Planner.Book(d("1000.00"), List.of()),
                List.of(Weight.asset("A", "10"), Weight.asset("B", "10"), Weight.asset("C", "80")), cheap,
                new Planner.Policy(List.of(new RebalanceCondition(ConditionType.DRIFT_BAND, ConditionSubType.ABSOLUTE,
                        d("10"), null)), costs("0", "1", true, TradeCosts.RebalanceTo.TARGET)));

        assertThat(plan.skipped()).isEmpty();
        assertThat(plan.buys()).extracting(PlannedOrder::symbol).containsExactly("C", "A", "B");
        assertThat(plan.buys()).extracting(PlannedOrder::notional).usingElementComparator(BigDecimal::compareTo)
                .containsExactly(d("800.00"), d("100.00"), d("100.00"));
    }

    @Test
    void a_trade_that_does_not_pay_is_skipped_only_while_its_weight_stays_inside_its_band() {
        // Equity $10,000: SPY 52 % (+2 points, inside ± 5), TLT 38 % (-2, inside), GLD 10 % (0). Skipping inside the
        // band is off, so both would go to target: a $200 trade each. With a $5 fee per order, a $200 trade costs
        // $5.04 (2 bps of spread: 4 cents), 2.52 % of it, more than the 1 % allowed: both are skipped, and cash stays
        // at 0 %. TLT at 30 % (-10 points, past its band) is bought whatever it costs.
        TradeCosts dear = new TradeCosts(BigDecimal.ZERO, BigDecimal.ZERO, Map.of("us_equity", d("2")), d("5"), d("1"),
                false, TradeCosts.RebalanceTo.TARGET);
        List<Weight> weights = List.of(Weight.asset("SPY", "50"), Weight.asset("TLT", "40"), Weight.asset("GLD", "10"));
        Planner.Policy policy = new Planner.Policy(FIVE_POINTS, dear);

        Plan inside = planner.fullRebalance(new Planner.Book(d("0"), List.of(new Holding("SPY", d("52")),
                new Holding("TLT", d("76")), new Holding("GLD", d("5")))), weights, assets, policy);

        assertThat(inside.sells()).isEmpty();
        assertThat(inside.buys()).isEmpty();
        assertThat(inside.skipped()).extracting(SkippedOrder::symbol, SkippedOrder::side, SkippedOrder::reason)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("SPY", OrderSide.SELL, TradeCosts.COST_EXCEEDS_BENEFIT),
                        org.assertj.core.groups.Tuple.tuple("TLT", OrderSide.BUY, TradeCosts.COST_EXCEEDS_BENEFIT));
        assertThat(inside.skipped()).extracting(SkippedOrder::reasonDetails).contains("SPY not traded: its estimated "
                + "cost of $5.04 is more than 1 % of the $200.00 trade, and SPY stays inside its band without it "
                + "(52.00 % against 50 % ± 5)");

        // SPY 60 % (+10), TLT 30 % (-10): both past their bands, both traded to target, $1,000 each.
        Plan past = planner.fullRebalance(new Planner.Book(d("0"), List.of(new Holding("SPY", d("60")),
                new Holding("TLT", d("60")), new Holding("GLD", d("5")))), weights, assets, policy);

        assertThat(past.skipped()).isEmpty();
        assertThat(past.sells()).singleElement().satisfies(sell -> {
            assertThat(sell.symbol()).isEqualTo("SPY");
            assertThat(sell.qty()).isEqualByComparingTo("10");
        });
        assertThat(past.buys()).singleElement().satisfies(buy -> {
            assertThat(buy.symbol()).isEqualTo("TLT");
            assertThat(buy.notional()).isEqualByComparingTo("1000.00");
        });
    }

    @Test
    void a_deposit_buy_under_the_minimum_trade_stays_in_cash_while_cash_stays_inside_its_band() {
        // Equity $10,000 after a $600 deposit: SPY 47 %, TLT 47 %, cash 6 % against 50 / 45 / 5, each ± 5 points.
        // Shortfalls: SPY $300, TLT none (it is $200 over). The minimum trade is $400: the $300 buy is skipped, cash
        // stays at 6 %, inside 5 % ± 5.
        TradeCosts minimum = new TradeCosts(d("400"), BigDecimal.ZERO, null, null, null, null, null);
        List<Weight> weights = List.of(Weight.asset("SPY", "50"), Weight.asset("TLT", "45"), Weight.cash("5"));
        Planner.Book book = new Planner.Book(d("600"), List.of(new Holding("SPY", d("47")), new Holding("TLT", d("94"))));

        Plan plan = planner.investCash(book, weights, assets, d("600"), new Planner.Policy(FIVE_POINTS, minimum));

        assertThat(plan.buys()).isEmpty();
        assertThat(plan.skipped()).singleElement().satisfies(skip -> {
            assertThat(skip.symbol()).isEqualTo("SPY");
            assertThat(skip.reason()).isEqualTo(TradeCosts.COST_EXCEEDS_BENEFIT);
            assertThat(skip.reasonDetails()).startsWith("SPY not traded: the $300.00 trade is under the minimum trade "
                    + "of $400.00");
        });

        // The same deposit with cash at 0 % ± 5 and SPY, TLT 50 % each: $300 short each. Skipping one leaves cash at
        // 3 %; skipping both would leave 6 %, past cash's band: one is bought.
        Plan invested = planner.investCash(book, List.of(Weight.asset("SPY", "50"), Weight.asset("TLT", "50")),
                assets, d("600"), new Planner.Policy(FIVE_POINTS, minimum));

        assertThat(invested.buys()).singleElement().satisfies(buy ->
                assertThat(buy.notional()).isEqualByComparingTo("300.00"));
        assertThat(invested.skipped()).singleElement().satisfies(skip ->
                assertThat(skip.reason()).isEqualTo(TradeCosts.COST_EXCEEDS_BENEFIT));
    }
}
