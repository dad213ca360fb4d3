package dev.rebalancer.rules.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.SkippedOrder;
import dev.rebalancer.contracts.Weight;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {

    private final Planner planner = new Planner(25);
    private final Map<String, Asset> assets = Map.of(
            "SPY", new Asset("SPY", new BigDecimal("600.00"), true),
            "TLT", new Asset("TLT", new BigDecimal("88.00"), true),
            "GLD", new Asset("GLD", new BigDecimal("250.00"), true),
            "BRK", new Asset("BRK", new BigDecimal("700.00"), false));
    private final List<Weight> balanced = List.of(Weight.cash("5"), Weight.asset("SPY", "60"), Weight.asset("TLT", "35"));

    private static BigDecimal d(String value) {
        return new BigDecimal(value);
    }

    @Test
    void cash_is_invested_by_notional_largest_shortfall_first_keeping_the_cash_weight() {
        Plan plan = planner.fullRebalance(new Planner.Book(d("10000.00"), List.of()), balanced, assets);

        assertThat(plan.sells()).isEmpty();
        assertThat(plan.buys()).extracting(PlannedOrder::symbol).containsExactly("SPY", "TLT");
        assertThat(plan.buys()).extracting(PlannedOrder::notional).usingElementComparator(BigDecimal::compareTo)
                .containsExactly(d("6000.00"), d("3500.00"));
    }

    @Test
    void overweight_assets_and_positions_outside_the_targets_are_sold_by_quantity() {
        Plan plan = planner.fullRebalance(new Planner.Book(d("0"), List.of(new Holding("SPY", d("12")),
                new Holding("TLT", d("20")), new Holding("GLD", d("4.5")))), balanced, assets);

        // Equity 7200 + 1760 + 1125 = 10085: SPY's target is 6051, so 1149 (1.915 shares) over; GLD goes entirely.
        assertThat(plan.sells()).extracting(PlannedOrder::symbol).containsExactly("SPY", "GLD");
        assertThat(plan.sells().get(0).qty()).isEqualByComparingTo("1.915");
        assertThat(plan.sells().get(1).qty()).isEqualByComparingTo("4.5");
        assertThat(plan.buys()).singleElement().satisfies(buy -> {
            assertThat(buy.symbol()).isEqualTo("TLT");
            assertThat(buy.notional()).isEqualByComparingTo("1769.75");
        });
    }

    @Test
    void a_whole_share_asset_is_bought_in_whole_shares() {
        Plan plan = planner.fullRebalance(new Planner.Book(d("2000.00"), List.of()),
                List.of(Weight.asset("BRK", "100")), assets);

        assertThat(plan.buys()).singleElement().satisfies(buy -> {
            assertThat(buy.qty()).isEqualByComparingTo("2");
            assertThat(buy.notional()).isNull();
            assertThat(buy.value()).isEqualByComparingTo("1400.00");
        });
    }

    @Test
    void an_order_under_a_dollar_is_skipped_with_alpacas_reason() {
        Plan plan = planner.investCash(new Planner.Book(d("1000.40"), List.of(new Holding("SPY", d("1.666")))),
                List.of(Weight.asset("SPY", "50"), Weight.asset("TLT", "50")), assets, d("0.40"));

        assertThat(plan.buys()).isEmpty();
        assertThat(plan.skipped()).singleElement().satisfies(skip -> {
            assertThat(skip.symbol()).as("the most underweight").isEqualTo("TLT");
            assertThat(skip.reason()).isEqualTo(SkippedOrder.LESS_THAN_MIN_NOTIONAL);
            assertThat(skip.reasonDetails()).isEqualTo(
                    "order notional value $0.4 is less than min-notional set for correspondent ($1.0)");
            assertThat(skip.side()).isEqualTo(OrderSide.BUY);
        });
    }

    @Test
    void a_difference_under_a_cent_is_no_order_and_no_skip() {
        // 10 SPY at $600 = 6000 of a 6000.004 target (60 % of 10000.006): a fraction of a cent off, as fractional fills
        // leave it. Nothing to do, and nothing to report as skipped.
        Plan plan = planner.fullRebalance(new Planner.Book(d("4000.006"), List.of(new Holding("SPY", d("10")))),
                List.of(Weight.cash("40"), Weight.asset("SPY", "60")), assets);

        assertThat(plan.buys()).isEmpty();
        assertThat(plan.sells()).isEmpty();
        assertThat(plan.skipped()).isEmpty();
    }

    @Test
    void invest_cash_goes_to_the_most_relatively_underweight_first_and_stops_at_the_amount() {
        // Equity 10000: SPY at 4800 of a 5000 target (4% under), TLT at 0 of 2000 (100% under), GLD at 2500 of 3000.
        Plan plan = planner.investCash(new Planner.Book(d("2700.00"), List.of(new Holding("SPY", d("8")),
                        new Holding("GLD", d("10")))),
                List.of(Weight.asset("SPY", "50"), Weight.asset("TLT", "20"), Weight.asset("GLD", "30")), assets,
                d("2500.00"));

        assertThat(plan.buys()).extracting(PlannedOrder::symbol).containsExactly("TLT", "GLD");
        assertThat(plan.buys()).extracting(PlannedOrder::notional).usingElementComparator(BigDecimal::compareTo)
                .containsExactly(d("2000.00"), d("500.00"));
    }

    @Test
    void partial_liquidation_sells_the_most_overweight_first() {
        // Equity 10000, 1000 leaving: targets on 9000 are SPY 4500 and TLT 4500; SPY holds 6000, TLT 3520.
        Plan plan = planner.partialLiquidation(new Planner.Book(d("480.00"), List.of(new Holding("SPY", d("10")),
                        new Holding("TLT", d("40")))),
                List.of(Weight.asset("SPY", "50"), Weight.asset("TLT", "50")), assets, d("1000.00"));

        assertThat(plan.buys()).isEmpty();
        assertThat(plan.sells()).singleElement().satisfies(sell -> {
            assertThat(sell.symbol()).isEqualTo("SPY");
            assertThat(sell.value()).as("quantities round down to 9 decimals").isBetween(d("999.99"), d("1000.00"));
        });
    }

    @Test
    void partial_liquidation_takes_the_rest_from_the_largest_holdings_first() {
        // Equity 10200, 2000 leaving: targets on 8200. Only SPY is over its target (6000 of 4920: 1080); the other 920
        // come from the largest holding, SPY again, not from GLD, which Alpaca happens to list first.
        Plan plan = planner.partialLiquidation(new Planner.Book(d("1000.00"), List.of(new Holding("GLD", d("4")),
                        new Holding("SPY", d("10")), new Holding("TLT", d("25")))),
                List.of(Weight.asset("GLD", "12.2"), Weight.asset("SPY", "60"), Weight.asset("TLT", "27.8")), assets,
                d("2000.00"));

        assertThat(plan.sells()).singleElement().satisfies(sell -> {
            assertThat(sell.symbol()).isEqualTo("SPY");
            assertThat(sell.qty()).isEqualByComparingTo("3.333333333");
        });
    }

    @Test
    void the_buys_after_a_sell_that_did_not_fill_are_sized_on_the_cash_there() {
        // The plan sold 1000 of SPY (over its 5000 target) and bought 4500 of TLT. The sell was refused: 4000 cash is
        // all there is, and the cash floor (the reserve, 25) stays; the 1000 that never came are not spent.
        List<Weight> weights = List.of(Weight.cash("5"), Weight.asset("SPY", "50"), Weight.asset("TLT", "45"));
        Planner.Book book = new Planner.Book(d("4000.00"), List.of(new Holding("SPY", d("10"))));
        assertThat(planner.fullRebalance(book, weights, assets).buyValue()).isEqualByComparingTo("4500.00");

        Plan buys = planner.buysAfterSells(book, weights, assets);

        assertThat(buys.sells()).isEmpty();
        assertThat(buys.buys()).singleElement().satisfies(buy -> {
            assertThat(buy.symbol()).isEqualTo("TLT");
            assertThat(buy.notional()).isEqualByComparingTo("3975.00");
        });
    }

    @Test
    void buys_never_go_beyond_non_marginable_buying_power() {
        // 4000 cash, of which open buys elsewhere hold 2000: 2000 can be spent without borrowing, less the reserve.
        Planner.Book book = new Planner.Book(d("4000.00"), d("2000.00"), List.of(new Holding("SPY", d("10"))));
        List<Weight> weights = List.of(Weight.cash("5"), Weight.asset("SPY", "50"), Weight.asset("TLT", "45"));

        assertThat(planner.buysAfterSells(book, weights, assets).buyValue()).isEqualByComparingTo("1975.00");
        assertThat(planner.investCash(book, weights, assets, d("3000.00")).buyValue()).isEqualByComparingTo("1975.00");
    }

    @Test
    void only_what_is_not_held_for_open_orders_is_sold_and_an_untradable_asset_is_skipped_with_a_reason() {
        // SPY: 10 held, 1 available (9 held for an open order). GLD is no longer tradable.
        Map<String, Asset> flagged = new java.util.HashMap<>(assets);
        flagged.put("GLD", new Asset("GLD", d("250.00"), true, Asset.Restriction.NOT_TRADABLE));
        Plan plan = planner.fullRebalance(new Planner.Book(d("0"), List.of(new Holding("SPY", d("10"), d("1")),
                new Holding("GLD", d("8")))), List.of(Weight.asset("SPY", "20"), Weight.asset("TLT", "80")), flagged);

        assertThat(plan.sells()).singleElement().satisfies(sell -> {
            assertThat(sell.symbol()).isEqualTo("SPY");
            assertThat(sell.qty()).isEqualByComparingTo("1");
        });
        assertThat(plan.skipped()).singleElement().satisfies(skip -> {
            assertThat(skip.symbol()).isEqualTo("GLD");
            assertThat(skip.side()).isEqualTo(OrderSide.SELL);
            assertThat(skip.reason()).isEqualTo("ASSET_NOT_TRADABLE");
            assertThat(skip.notional()).isEqualByComparingTo("2000.00");
        });
    }

    @Test
    void a_holding_without_a_current_price_is_held_at_its_market_value_and_not_traded() {
        // 20 GLD worth 5000 at their market value, no current price: not sold, but counted, so SPY and TLT aim at 5000
        // each of a 10000 equity (at $1 a share GLD would have counted 20 and the targets would be 2510).
        Map<String, Asset> flagged = new java.util.HashMap<>(assets);
        flagged.put("GLD", new Asset("GLD", d("250"), true, Asset.Restriction.PRICE_UNKNOWN));
        Plan plan = planner.fullRebalance(new Planner.Book(d("5000.00"), List.of(new Holding("GLD", d("20")))),
                List.of(Weight.asset("SPY", "50"), Weight.asset("TLT", "50")), flagged);

        assertThat(plan.sells()).isEmpty();
        assertThat(plan.skipped()).singleElement().satisfies(skip -> {
            assertThat(skip.symbol()).isEqualTo("GLD");
            assertThat(skip.reason()).isEqualTo("PRICE_UNKNOWN");
        });
        assertThat(plan.buys()).extracting(PlannedOrder::symbol, o -> o.notional().toPlainString())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("SPY", "4975.00"));
    }

    /**
     * Found by the backtest's band property (seed -2060): no cash weight, a reserve of 46 basis points ($126.43 of
     * $27,484.57) above the largest deviation ($124.22, S4 short of its 1 %). The plan kept cash under that deviation
     * as if the reserve were drift — no buys, a $1.21 sell — so the breach stayed and the drift monitor asked again
     * every day. Cash up to its target plus the reserve is on target to the drift monitor; after the rebalance's sells
     * and its buys on what they brought, no weight is outside its band.
     */
    @Test
    void a_reserve_larger_than_the_largest_deviation_does_not_stop_the_rebalance() {
        Planner reserving = new Planner(46);
        List<Weight> weights = List.of(Weight.asset("S0", "93"), Weight.asset("S1", "3"), Weight.asset("S2", "1"),
                Weight.asset("S3", "2"), Weight.asset("S4", "1"));
        List<dev.rebalancer.contracts.RebalanceCondition> band = List.of(new dev.rebalancer.contracts
                .RebalanceCondition(dev.rebalancer.contracts.ConditionType.DRIFT_BAND, dev.rebalancer.contracts
                        .ConditionSubType.RELATIVE, d("20"), null));
        Map<String, Asset> prices = Map.of("S0", new Asset("S0", d("293.98"), true), "S1", new Asset("S1",
                d("133.70"), true), "S2", new Asset("S2", d("72.62"), true), "S3", new Asset("S3", d("235.72"), true),
                "S4", new Asset("S4", d("146.61"), true));
        Map<String, BigDecimal> held = new java.util.TreeMap<>(Map.of("S0", d("86.646475317"), "S1",
                d("6.021128637"), "S2", d("4.766765312"), "S3", d("2.491993703"), "S4", d("1.027413167")));
        Planner.Policy policy = new Planner.Policy(band, null);
        BigDecimal cash = d("123.01");
        assertThat(drift(weights, band, cash, held, prices)).as("before").isNotEmpty();

        Plan sells = reserving.fullRebalance(book(cash, held), weights, prices, policy);
        for (PlannedOrder sell : sells.sells()) {
            cash = cash.add(sell.qty().multiply(prices.get(sell.symbol()).price()));
            held.merge(sell.symbol(), sell.qty().negate(), BigDecimal::add);
        }
        Plan buys = reserving.buysAfterSells(book(cash, held), weights, prices, policy);
        for (PlannedOrder buy : buys.buys()) {
            cash = cash.subtract(buy.notional());
            held.merge(buy.symbol(), buy.notional().divide(prices.get(buy.symbol()).price(), 9,
                    java.math.RoundingMode.DOWN), BigDecimal::add);
        }

        assertThat(drift(weights, band, cash, held, prices)).as("after").isEmpty();
        assertThat(cash).isNotNegative();
    }

    private static Planner.Book book(BigDecimal cash, Map<String, BigDecimal> held) {
        return new Planner.Book(cash, held.entrySet().stream().map(e -> new Holding(e.getKey(), e.getValue()))
                .toList());
    }

    private static List<dev.rebalancer.contracts.WeightDrift> drift(List<Weight> weights,
            List<dev.rebalancer.contracts.RebalanceCondition> band, BigDecimal cash, Map<String, BigDecimal> held,
            Map<String, Asset> prices) {
        List<dev.rebalancer.contracts.Position> positions = new java.util.ArrayList<>();
        BigDecimal equity = cash;
        for (Map.Entry<String, BigDecimal> h : held.entrySet()) {
            BigDecimal value = h.getValue().multiply(prices.get(h.getKey()).price()).setScale(2,
                    java.math.RoundingMode.HALF_EVEN);
            positions.add(new dev.rebalancer.contracts.Position(h.getKey(), h.getValue(), prices.get(h.getKey())
                    .price(), value));
            equity = equity.add(value);
        }
        return dev.rebalancer.rules.drift.Drift.of(weights, band, new dev.rebalancer.contracts.PositionSnapshot("s",
                "a", java.time.Instant.EPOCH, equity, cash, cash, positions), 46).breaches();
    }
}
