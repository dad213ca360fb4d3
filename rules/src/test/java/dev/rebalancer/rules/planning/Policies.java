package dev.rebalancer.rules.planning;

import dev.rebalancer.contracts.ConditionSubType;
import dev.rebalancer.contracts.ConditionType;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.TradeCosts;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators of portfolio policies for the planning properties: drift bands and trade costs of every kind. */
public final class Policies {

    private Policies() {
    }

    /** Trade costs: minimums, spreads, a fee per order, a cost share; skipping inside the band or not; to target. */
    public static Arbitrary<TradeCosts> costs() {
        Arbitrary<BigDecimal> minUsd = Arbitraries.oneOf(Arbitraries.just(BigDecimal.ZERO),
                Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("500")).ofScale(2));
        Arbitrary<BigDecimal> minPercent = Arbitraries.oneOf(Arbitraries.just(BigDecimal.ZERO),
                Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("5")).ofScale(2));
        Arbitrary<BigDecimal> spread = Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("100"))
                .ofScale(1);
        Arbitrary<BigDecimal> perOrder = Arbitraries.oneOf(Arbitraries.just(BigDecimal.ZERO),
                Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("10")).ofScale(2));
        Arbitrary<BigDecimal> maxCost = Arbitraries.bigDecimals().between(new BigDecimal("0.01"), new BigDecimal("5"))
                .ofScale(2);
        Arbitrary<Boolean> skipInside = Arbitraries.of(true, false);
        return Combinators.combine(minUsd, minPercent, spread, perOrder, maxCost, skipInside).as((mu, mp, sp, po, mc,
                si) -> new TradeCosts(mu, mp, Map.of("us_equity", sp), po, mc, si, TradeCosts.RebalanceTo.TARGET));
    }

    /** The same costs rebalancing to the band's edge. */
    public static TradeCosts toBandEdge(TradeCosts costs) {
        return new TradeCosts(costs.minTradeUsd(), costs.minTradePercent(), costs.spreadBps(), costs.perOrderUsd(),
                costs.maxCostPercent(), costs.skipInsideBand(), TradeCosts.RebalanceTo.BAND_EDGE);
    }

    /** Drift bands: relative, absolute, both, or none. */
    public static Arbitrary<List<RebalanceCondition>> bands() {
        return Arbitraries.oneOf(
                Arbitraries.just(List.of()),
                Arbitraries.integers().between(1, 50).map(p -> List.of(band(ConditionSubType.RELATIVE, p))),
                Arbitraries.integers().between(1, 10).map(p -> List.of(band(ConditionSubType.ABSOLUTE, p))),
                Combinators.combine(Arbitraries.integers().between(1, 10), Arbitraries.integers().between(1, 50))
                        .as((a, r) -> List.of(band(ConditionSubType.ABSOLUTE, a), band(ConditionSubType.RELATIVE, r))));
    }

    /**
     * Any policy: bands; trade costs to target or to the band's edge, or none; substitute pairs among the planning
     * properties' symbols ({@code S0}…{@code S6}) with some of them blocked by the wash-sale guard, or none.
     */
    public static Arbitrary<Planner.Policy> policies() {
        Arbitrary<TradeCosts> costs = Arbitraries.oneOf(costs(), costs().map(Policies::toBandEdge),
                Arbitraries.just(null));
        return Combinators.combine(bands(), costs, washSales()).as(Planner.Policy::new);
    }

    /** Pairs S0/S1, S2/S3, S4/S5 or some of them, and any of S0…S6 blocked. */
    public static Arbitrary<WashSale> washSales() {
        Arbitrary<java.util.Set<Integer>> pairs = Arbitraries.integers().between(0, 2).set().ofMaxSize(3);
        Arbitrary<java.util.Set<Integer>> blocked = Arbitraries.integers().between(0, 6).set().ofMaxSize(3);
        return Arbitraries.oneOf(Arbitraries.just(WashSale.NONE), Combinators.combine(pairs, blocked).as((p, b) -> {
            Map<String, String> substitutes = new java.util.HashMap<>();
            p.forEach(i -> {
                substitutes.put("S" + 2 * i, "S" + (2 * i + 1));
                substitutes.put("S" + (2 * i + 1), "S" + 2 * i);
            });
            java.util.Set<String> noBuy = new java.util.HashSet<>();
            b.forEach(i -> noBuy.add("S" + i));
            return new WashSale(substitutes, noBuy);
        }));
    }

    public static RebalanceCondition band(ConditionSubType type, int percent) {
        return new RebalanceCondition(ConditionType.DRIFT_BAND, type, BigDecimal.valueOf(percent), null);
    }
}
