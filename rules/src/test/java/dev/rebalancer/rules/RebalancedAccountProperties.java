package dev.rebalancer.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.ConditionSubType;
import dev.rebalancer.contracts.ConditionType;
import dev.rebalancer.contracts.Position;
import dev.rebalancer.contracts.PositionSnapshot;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.TradeCosts;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.contracts.WeightType;
import dev.rebalancer.rules.drift.Drift;
import dev.rebalancer.rules.planning.Asset;
import dev.rebalancer.rules.planning.Holding;
import dev.rebalancer.rules.planning.Plan;
import dev.rebalancer.rules.planning.Policies;
import dev.rebalancer.rules.planning.PlannedOrder;
import dev.rebalancer.rules.planning.Planner;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The planner and the drift rules agree: an account the executor has just rebalanced — sells filled at the planning
 * prices, then the buys planned on the cash that is there — is inside its bands at those prices, whatever its reserve;
 * otherwise the drift monitor would ask for a rebalance that trades nothing and spends the day's automatic run. Over
 * accounts whose every asset can be traded in fractions (a whole-share asset can leave a real, unmendable deviation).
 */
class RebalancedAccountProperties {

    private static final BigDecimal HUNDRED = new BigDecimal("100");

    record Case(BigDecimal cash, List<Holding> holdings, List<Weight> weights, Map<String, Asset> assets,
            List<RebalanceCondition> bands, int reserveBps) {
    }

    @Property(tries = 2000)
    void an_account_just_rebalanced_is_inside_its_bands_at_the_same_prices(@ForAll("accounts") Case c) {
        Planner planner = new Planner(c.reserveBps());
        Plan sells = planner.fullRebalance(new Planner.Book(c.cash(), c.holdings()), c.weights(), c.assets());
        Planner.Book afterSells = apply(new Planner.Book(c.cash(), c.holdings()), sells.sells(), c.assets());
        Plan buys = planner.buysAfterSells(afterSells, c.weights(), c.assets());
        Planner.Book rebalanced = apply(afterSells, buys.buys(), c.assets());

        Drift.Report report = Drift.of(c.weights(), c.bands(), snapshot(rebalanced, c.assets()), c.reserveBps());

        assertThat(report.breaches()).as("breaches after %s then %s", sells.sells(), buys.buys()).isEmpty();
    }

    /**
     * Rebalancing to the band's edge leaves every weight inside its band at the planning prices, as the drift monitor
     * judges it, whatever the trade costs skip; and never trades more dollars than a full rebalance to target does.
     */
    @Property(tries = 1000)
    void rebalancing_to_the_band_edge_leaves_every_weight_inside_its_band_and_trades_no_more_than_to_target(
            @ForAll("accounts") Case c, @ForAll("costs") TradeCosts costs) {
        Rebalanced edge = rebalance(c, new Planner.Policy(c.bands(), Policies.toBandEdge(costs)));
        Rebalanced full = rebalance(c, Planner.Policy.NONE);

        Drift.Report report = Drift.of(c.weights(), c.bands(), snapshot(edge.book(), c.assets()), c.reserveBps());

        assertThat(report.breaches()).as("breaches after %s", edge.orders()).isEmpty();
        assertThat(edge.traded()).as("traded to the edge %s, to target %s", edge.orders(), full.orders())
                .isLessThanOrEqualTo(full.traded());
    }

    /**
     * Found by the property above (seed -1509344000174317682, shrunk): S1 inside its band and S2 past it both above
     * their targets, S0 far below; the reserve ($2.50) needs a sell beyond S2's, and S1's ($2.74 or so) is under the
     * minimum trade ($19.30). Skipping it cut S0's buy short of its band; a sell the reserve needs is now made.
     */
    @net.jqwik.api.Example
    void a_sell_the_reserve_needs_is_not_skipped_for_its_cost() {
        Map<String, Asset> assets = Map.of("S0", new Asset("S0", new BigDecimal("0.50"), true), "S1",
                new Asset("S1", new BigDecimal("0.50"), true), "S2", new Asset("S2", new BigDecimal("328.14"), true));
        rebalancing_to_the_band_edge_leaves_every_weight_inside_its_band_and_trades_no_more_than_to_target(
                new Case(new BigDecimal("16.11"), List.of(new Holding("S1", new BigDecimal("238.483")),
                        new Holding("S2", new BigDecimal("2.635"))), List.of(Weight.asset("S0", "10.00"),
                        Weight.asset("S1", "10.00"), Weight.asset("S2", "80.00")), assets,
                        List.of(new RebalanceCondition(ConditionType.DRIFT_BAND, ConditionSubType.ABSOLUTE,
                                new BigDecimal("2"), null)), 25),
                new TradeCosts(BigDecimal.ZERO, new BigDecimal("1.93"), Map.of("us_equity", BigDecimal.ZERO,
                        "crypto", new BigDecimal("25")), BigDecimal.ZERO, new BigDecimal("0.01"), true,
                        TradeCosts.RebalanceTo.TARGET));
    }

    /**
     * Found in CI (seed -6814131954705856453, shrunk): no cash, S0 a dollar short of its 100 %, S1 ($1.01) held without
     * a weight; the sale of S1 cannot bring cash up to the reserve ($2.50), which made the planner give up on the plan.
     * Cash already below the reserve does not stop sells that buy nothing.
     */
    @net.jqwik.api.Example
    void sells_are_made_when_cash_stays_below_the_reserve_without_buys() {
        Map<String, Asset> assets = Map.of("S0", new Asset("S0", new BigDecimal("4.64"), true), "S1",
                new Asset("S1", new BigDecimal("6.98"), true));
        rebalancing_to_the_band_edge_leaves_every_weight_inside_its_band_and_trades_no_more_than_to_target(
                new Case(BigDecimal.ZERO, List.of(new Holding("S0", new BigDecimal("215.301")),
                        new Holding("S1", new BigDecimal("0.144"))), List.of(Weight.asset("S0", "100.00")), assets,
                        List.of(new RebalanceCondition(ConditionType.DRIFT_BAND, ConditionSubType.RELATIVE,
                                BigDecimal.ONE, null)), 25),
                new TradeCosts(BigDecimal.ZERO, BigDecimal.ZERO, Map.of("us_equity", BigDecimal.ZERO,
                        "crypto", new BigDecimal("25")), BigDecimal.ZERO, new BigDecimal("0.01"), true,
                        TradeCosts.RebalanceTo.TARGET));
    }

    /** Skipping trades for their cost (or because their weight is inside its band) never leaves a weight past its band. */
    @Property(tries = 1000)
    void skipping_trades_for_their_cost_never_leaves_a_weight_outside_its_band(@ForAll("accounts") Case c,
            @ForAll("costs") TradeCosts costs) {
        Rebalanced done = rebalance(c, new Planner.Policy(c.bands(), costs));

        Drift.Report report = Drift.of(c.weights(), c.bands(), snapshot(done.book(), c.assets()), c.reserveBps());

        assertThat(report.breaches()).as("breaches after %s (skipped %s)", done.orders(), done.skipped()).isEmpty();
        assertThat(done.skipped()).allSatisfy(skip -> assertThat(skip.reason()).isIn(
                TradeCosts.COST_EXCEEDS_BENEFIT, dev.rebalancer.contracts.SkippedOrder.LESS_THAN_MIN_NOTIONAL));
    }

    /** Both steps of a rebalance under a policy: the sells filled at the planning prices, then the buys. */
    private static Rebalanced rebalance(Case c, Planner.Policy policy) {
        Planner planner = new Planner(c.reserveBps());
        Planner.Book before = new Planner.Book(c.cash(), c.holdings());
        Plan sells = planner.fullRebalance(before, c.weights(), c.assets(), policy);
        Planner.Book afterSells = apply(before, sells.sells(), c.assets());
        Plan buys = planner.buysAfterSells(afterSells, c.weights(), c.assets(), policy);
        List<PlannedOrder> orders = new ArrayList<>(sells.sells());
        orders.addAll(buys.buys());
        List<dev.rebalancer.contracts.SkippedOrder> skipped = new ArrayList<>(sells.skipped());
        skipped.addAll(buys.skipped());
        return new Rebalanced(apply(afterSells, buys.buys(), c.assets()), orders, skipped);
    }

    record Rebalanced(Planner.Book book, List<PlannedOrder> orders, List<dev.rebalancer.contracts.SkippedOrder> skipped) {
        BigDecimal traded() {
            return orders.stream().map(PlannedOrder::value).reduce(BigDecimal.ZERO, BigDecimal::add);
        }
    }

    @Provide
    Arbitrary<TradeCosts> costs() {
        return Policies.costs();
    }

    /** The book after the orders filled at the planning prices: sells by quantity, buys by notional or quantity. */
    private static Planner.Book apply(Planner.Book book, List<PlannedOrder> orders, Map<String, Asset> assets) {
        Map<String, BigDecimal> qty = new LinkedHashMap<>();
        book.holdings().forEach(h -> qty.merge(h.symbol(), h.qty(), BigDecimal::add));
        BigDecimal cash = book.cash();
        for (PlannedOrder order : orders) {
            BigDecimal price = assets.get(order.symbol()).price();
            BigDecimal shares = order.qty() != null ? order.qty()
                    : order.notional().divide(price, 9, RoundingMode.DOWN);
            BigDecimal value = order.notional() != null ? order.notional()
                    : shares.multiply(price).setScale(2, RoundingMode.HALF_EVEN);
            if (order.side() == dev.rebalancer.contracts.OrderSide.SELL) {
                qty.merge(order.symbol(), shares.negate(), BigDecimal::add);
                cash = cash.add(value);
            } else {
                qty.merge(order.symbol(), shares, BigDecimal::add);
                cash = cash.subtract(value);
            }
        }
        List<Holding> holdings = new ArrayList<>();
        qty.forEach((symbol, q) -> {
            if (q.signum() > 0) {
                holdings.add(new Holding(symbol, q));
            }
        });
        return new Planner.Book(cash, holdings);
    }

    private static PositionSnapshot snapshot(Planner.Book book, Map<String, Asset> assets) {
        List<Position> positions = new ArrayList<>();
        BigDecimal equity = book.cash();
        for (Holding holding : book.holdings()) {
            BigDecimal price = assets.get(holding.symbol()).price();
            BigDecimal value = holding.qty().multiply(price).setScale(2, RoundingMode.HALF_EVEN);
            positions.add(new Position(holding.symbol(), holding.qty(), price, value));
            equity = equity.add(value);
        }
        return new PositionSnapshot("e", "a", Instant.EPOCH, equity, book.cash(), book.cash(), positions);
    }

    // ---- generators ------------------------------------------------------------------------------------------

    record Line(BigDecimal price, BigDecimal qty, int share) {
    }

    @Provide
    Arbitrary<Case> accounts() {
        Arbitrary<BigDecimal> price = Arbitraries.bigDecimals().between(new BigDecimal("0.50"), new BigDecimal("900"))
                .ofScale(2);
        Arbitrary<BigDecimal> qty = Arbitraries.oneOf(Arbitraries.just(BigDecimal.ZERO),
                Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("300")).ofScale(3));
        Arbitrary<Integer> share = Arbitraries.integers().between(0, 30);
        Arbitrary<List<Line>> universe = Combinators.combine(price, qty, share).as(Line::new).list().ofMinSize(1)
                .ofMaxSize(6);
        // A portfolio without a cash weight half the time: the case the reserve used to breach.
        Arbitrary<Integer> cashShare = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(0, 20));
        Arbitrary<BigDecimal> cash = Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("30000"))
                .ofScale(2);
        Arbitrary<Integer> reserve = Arbitraries.oneOf(Arbitraries.just(25), Arbitraries.integers().between(0, 100));
        Arbitrary<List<RebalanceCondition>> bands = Arbitraries.oneOf(
                Arbitraries.integers().between(1, 50).map(p -> List.of(band(ConditionSubType.RELATIVE, p))),
                Arbitraries.integers().between(1, 10).map(p -> List.of(band(ConditionSubType.ABSOLUTE, p))),
                Combinators.combine(Arbitraries.integers().between(1, 10), Arbitraries.integers().between(1, 50))
                        .as((a, r) -> List.of(band(ConditionSubType.ABSOLUTE, a), band(ConditionSubType.RELATIVE, r))));
        // From $1,000 of equity: below a few hundred dollars Alpaca's $1 minimum order, not the bands, bounds what any
        // plan can mend (a $1 account keeping a 1-cent reserve cannot buy its one asset at all).
        return Combinators.combine(universe, cashShare, cash, reserve, bands).as(RebalancedAccountProperties::build)
                .filter(c -> equity(c).compareTo(new BigDecimal("1000")) >= 0);
    }

    private static BigDecimal equity(Case c) {
        BigDecimal equity = c.cash();
        for (Holding holding : c.holdings()) {
            equity = equity.add(holding.qty().multiply(c.assets().get(holding.symbol()).price()));
        }
        return equity;
    }

    private static RebalanceCondition band(ConditionSubType type, int percent) {
        return Policies.band(type, percent);
    }

    private static Case build(List<Line> universe, int cashShare, BigDecimal cash, int reserve,
            List<RebalanceCondition> bands) {
        Map<String, Asset> assets = new LinkedHashMap<>();
        List<Holding> holdings = new ArrayList<>();
        int total = cashShare + universe.stream().mapToInt(Line::share).sum();
        if (total == 0) {
            total = 1;
            cashShare = 1;
        }
        List<Weight> weights = new ArrayList<>();
        BigDecimal assigned = BigDecimal.ZERO;
        for (int i = 0; i < universe.size(); i++) {
            Line line = universe.get(i);
            String symbol = "S" + i;
            assets.put(symbol, new Asset(symbol, line.price(), true, Asset.Restriction.NONE));
            if (line.qty().signum() > 0) {
                holdings.add(new Holding(symbol, line.qty()));
            }
            if (line.share() > 0) {
                BigDecimal percent = HUNDRED.multiply(BigDecimal.valueOf(line.share()))
                        .divide(BigDecimal.valueOf(total), 2, RoundingMode.DOWN);
                if (percent.signum() > 0) {
                    weights.add(new Weight(WeightType.ASSET, symbol, percent));
                    assigned = assigned.add(percent);
                }
            }
        }
        BigDecimal cashPercent = HUNDRED.subtract(assigned);
        if (cashPercent.signum() > 0) {
            weights.add(new Weight(WeightType.CASH, null, cashPercent));
        }
        return new Case(cash, holdings, weights, assets, bands, reserve);
    }
}
