package dev.rebalancer.rules.planning;

import dev.rebalancer.contracts.Money;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.SkippedOrder;
import dev.rebalancer.contracts.TradeCosts;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.contracts.WeightType;
import dev.rebalancer.rules.drift.Drift;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each weight is traded to under {@link TradeCosts} ("trades only where they pay"), in dollars at the planning
 * prices, and which trades are worth their cost. Plain arithmetic, no I/O.
 *
 * <ol>
 * <li>A weight inside its drift band stays where it is ({@code skip_inside_band}, and always when rebalancing to the
 * band's edge); one past its band goes to its target, or to just inside the band's edge ({@code band_edge}: a dollar
 * inside, or half the band if that is less, so that rounding toward trading less never leaves it on the wrong
 * side).</li>
 * <li>Cash is a weight too: when what those goals leave in cash is past cash's band, the weights furthest below (or
 * above) their targets are moved toward them, never past them, until cash is back at its edge (band_edge) or target.
 * The targets add up to the equity, so there is always room. Likewise when they would leave less cash than the
 * reserve: the weights above their targets are sold further toward them.</li>
 * <li>A trade of a weight that is inside its band without it, smaller than the minimum trade or whose estimated cost is
 * more than {@code max_cost_percent} of its value, is skipped with {@link TradeCosts#COST_EXCEEDS_BENEFIT} — unless
 * skipping it would put cash past its band, or (a sell) leave less cash than the reserve. A weight past its band is
 * always traded, whatever it costs. Without a drift band there is no band to keep: every weight goes to its target
 * and any trade may be skipped for its cost.</li>
 * </ol>
 * Each goal lies between a weight's value and its target, so no trade is larger, nor in another direction, than a full
 * rebalance's.
 */
final class Goals {

    static final Goals NONE = new Goals(null, Map.of(), Map.of(), BigDecimal.ZERO, null, BigDecimal.ZERO);

    private static final BigDecimal HUNDRED = new BigDecimal("100");
    private static final BigDecimal EDGE_MARGIN = BigDecimal.ONE;
    private static final BigDecimal TWO = new BigDecimal("2");
    private static final int SCALE = 12;

    private final TradeCosts costs;
    /** Weights whose trades may be skipped for their cost: inside their band (or with no band) as they are. */
    private final Map<String, String> skippable;
    private final Map<String, String> assetClass;
    private final BigDecimal minTrade;
    /** Cash's band in dollars (null: none) and its target. */
    private final BigDecimal cashBand;
    private final BigDecimal cashTarget;

    private Goals(TradeCosts costs, Map<String, String> skippable, Map<String, String> assetClass,
            BigDecimal minTrade, BigDecimal cashBand, BigDecimal cashTarget) {
        this.costs = costs;
        this.skippable = skippable;
        this.assetClass = assetClass;
        this.minTrade = minTrade;
        this.cashBand = cashBand;
        this.cashTarget = cashTarget;
    }

    /**
     * Aims {@code targets} at the goals of a full rebalance under {@code policy} (nothing changes without trade costs),
     * recording in {@code skipped} the trades left out for their cost.
     */
    static Goals aim(Planner.Targets targets, List<Weight> weights, Map<String, Asset> assets, Planner.Policy policy,
            BigDecimal reserve, List<SkippedOrder> skipped) {
        if (policy.costs() == null) {
            return NONE;
        }
        TradeCosts costs = policy.costs();
        Bands bands = new Bands(targets, weights, policy);
        Map<String, BigDecimal> goals = new LinkedHashMap<>();
        for (String symbol : targets.union()) {
            BigDecimal value = targets.value(symbol);
            BigDecimal target = targets.target(symbol);
            BigDecimal band = bands.of(symbol);
            Asset asset = assets.get(symbol);
            if (asset != null && !asset.tradable()) {
                goals.put(symbol, target); // never ordered: the planner records why
            } else if (band == null) {
                goals.put(symbol, target);
            } else if (value.subtract(target).abs().compareTo(band) <= 0) {
                goals.put(symbol, costs.skipInsideBand() || costs.toBandEdge() ? value : target);
            } else {
                goals.put(symbol, costs.toBandEdge() ? edge(value, target, band) : target);
            }
        }
        // A trade under Alpaca's $1 minimum cannot be made: the weight stays where it is, and cash is judged so.
        java.util.Set<String> pinned = new java.util.HashSet<>();
        goals.forEach((symbol, goal) -> {
            BigDecimal trade = goal.subtract(targets.value(symbol)).abs();
            if (trade.signum() > 0 && trade.compareTo(Planner.MIN_ORDER) < 0) {
                pinned.add(symbol);
            }
        });
        pinned.forEach(symbol -> goals.put(symbol, targets.value(symbol)));
        BigDecimal cashBand = bands.cash;
        if (cashBand != null) {
            BigDecimal cash = cashLeft(targets, goals);
            BigDecimal cashTarget = targets.cashTarget;
            if (cash.subtract(cashTarget).abs().compareTo(cashBand) > 0) {
                BigDecimal aim = costs.toBandEdge() ? edge(cash, cashTarget, cashBand) : cashTarget;
                moveTowardTargets(targets, assets, goals, pinned, cash.subtract(aim));
            }
        }
        // The reserve is never spent: what the goals would take of it comes from the weights still above their
        // targets (sold further toward them), or else the buys are cut, as always.
        BigDecimal shortOfReserve = reserve.subtract(cashLeft(targets, goals));
        if (shortOfReserve.signum() > 0) {
            moveTowardTargets(targets, assets, goals, pinned, shortOfReserve.negate());
        }
        Goals worth = new Goals(costs, bands.skippable(targets), classes(assets), costs.minTrade(targets.equity),
                cashBand, targets.cashTarget);
        worth.skipWhatDoesNotPay(targets, goals, reserve, skipped);
        targets.aim(goals);
        return worth;
    }

    /** The cost test alone, at the account as it is (invest_cash: the deposit still goes toward the targets). */
    static Goals costsOnly(Planner.Targets targets, List<Weight> weights, Map<String, Asset> assets,
            Planner.Policy policy) {
        if (policy.costs() == null) {
            return NONE;
        }
        Bands bands = new Bands(targets, weights, policy);
        return new Goals(policy.costs(), bands.skippable(targets), classes(assets),
                policy.costs().minTrade(targets.equity), bands.cash, targets.cashTarget);
    }

    /**
     * The buys that pay, the smallest tested first: one that does not is dropped (and recorded in {@code skipped}) when
     * the cash it leaves uninvested keeps cash inside its band.
     */
    List<PlannedOrder> dropWhatDoesNotPay(List<PlannedOrder> buys, BigDecimal cash, List<SkippedOrder> skipped) {
        if (costs == null) {
            return buys;
        }
        List<PlannedOrder> kept = new ArrayList<>(buys);
        BigDecimal cashAfter = buys.stream().map(PlannedOrder::value).reduce(cash, BigDecimal::subtract);
        List<PlannedOrder> smallestFirst = new ArrayList<>(buys);
        smallestFirst.sort(Comparator.comparing(PlannedOrder::value));
        for (PlannedOrder buy : smallestFirst) {
            BigDecimal cashWithout = cashAfter.add(buy.value());
            if (!worth(buy.symbol(), buy.value())
                    && (cashBand == null || cashWithout.subtract(cashTarget).abs().compareTo(cashBand) <= 0)) {
                kept.remove(buy);
                cashAfter = cashWithout;
                skipped.add(new SkippedOrder(buy.symbol(), buy.side(), buy.value().setScale(2, RoundingMode.DOWN),
                        "USD", TradeCosts.COST_EXCEEDS_BENEFIT, notWorth(buy.symbol(), buy.value())));
            }
        }
        return kept;
    }

    /** Whether a trade of {@code value} dollars of {@code symbol} is worth making. */
    boolean worth(String symbol, BigDecimal value) {
        if (costs == null || !skippable.containsKey(symbol)) {
            return true;
        }
        return value.compareTo(minTrade) >= 0 && !tooDear(symbol, value);
    }

    /** Why a trade of {@code value} dollars of {@code symbol} is not worth making, as the user reads it. */
    String notWorth(String symbol, BigDecimal value) {
        String why = value.compareTo(minTrade) < 0
                ? "the " + Money.dollars(value) + " trade is under the minimum trade of " + Money.dollars(minTrade)
                : "its estimated cost of " + Money.dollars(cost(symbol, value)) + " is more than "
                        + costs.maxCostPercent().stripTrailingZeros().toPlainString() + " % of the "
                        + Money.dollars(value) + " trade";
        return symbol + " not traded: " + why + ", and " + skippable.get(symbol);
    }

    private boolean tooDear(String symbol, BigDecimal value) {
        return cost(symbol, value).multiply(HUNDRED).compareTo(value.multiply(costs.maxCostPercent())) > 0;
    }

    private BigDecimal cost(String symbol, BigDecimal value) {
        return costs.estimatedCost(assetClass.get(symbol), value);
    }

    /**
     * Leaves where they are the weights whose trade does not pay, smallest trade first, as long as cash stays inside
     * its band without them. Then, if the skipped sells left less cash than the reserve the goals kept, they are made
     * again, in the same order, until the reserve is there: skipped, the reserve would be kept by cutting the buys of
     * weights past their band.
     */
    private void skipWhatDoesNotPay(Planner.Targets targets, Map<String, BigDecimal> goals, BigDecimal reserve,
            List<SkippedOrder> skipped) {
        boolean reserveKept = cashLeft(targets, goals).compareTo(reserve) >= 0;
        Map<SkippedOrder, Map.Entry<String, BigDecimal>> skippedSells = new LinkedHashMap<>();
        List<String> smallestFirst = new ArrayList<>(goals.keySet());
        smallestFirst.sort(Comparator.comparing((String s) -> goals.get(s).subtract(targets.value(s)).abs())
                .thenComparing(s -> s));
        for (String symbol : smallestFirst) {
            BigDecimal trade = goals.get(symbol).subtract(targets.value(symbol));
            BigDecimal value = trade.abs().setScale(2, RoundingMode.DOWN);
            if (trade.signum() == 0 || value.compareTo(Planner.MIN_ORDER) < 0
                    || worth(symbol, value)) {
                continue;
            }
            BigDecimal cashWithout = cashLeft(targets, goals).add(trade);
            if (cashBand != null && cashWithout.subtract(cashTarget).abs().compareTo(cashBand) > 0) {
                continue;
            }
            SkippedOrder skip = new SkippedOrder(symbol, trade.signum() > 0 ? OrderSide.BUY : OrderSide.SELL, value,
                    "USD", TradeCosts.COST_EXCEEDS_BENEFIT, notWorth(symbol, value));
            if (trade.signum() < 0) {
                skippedSells.put(skip, Map.entry(symbol, goals.get(symbol)));
            }
            goals.put(symbol, targets.value(symbol));
            skipped.add(skip);
        }
        for (Map.Entry<SkippedOrder, Map.Entry<String, BigDecimal>> sell : skippedSells.entrySet()) {
            if (!reserveKept || cashLeft(targets, goals).compareTo(reserve) >= 0) {
                break;
            }
            goals.put(sell.getValue().getKey(), sell.getValue().getValue());
            skipped.remove(sell.getKey());
        }
    }

    /**
     * Moves goals toward their targets, the furthest first, until cash is {@code excess} lower (positive: more is
     * bought or less sold) or higher (negative).
     */
    private static void moveTowardTargets(Planner.Targets targets, Map<String, Asset> assets,
            Map<String, BigDecimal> goals, java.util.Set<String> pinned, BigDecimal excess) {
        int direction = excess.signum();
        BigDecimal need = excess.abs();
        List<String> furthestFirst = new ArrayList<>(goals.keySet());
        furthestFirst.removeIf(s -> pinned.contains(s) || assets.get(s) != null && !assets.get(s).tradable());
        furthestFirst.sort(Comparator.comparing((String s) -> room(targets, goals, s, direction)).reversed()
                .thenComparing(s -> s));
        for (String symbol : furthestFirst) {
            if (need.signum() <= 0) {
                break;
            }
            BigDecimal move = room(targets, goals, symbol, direction).min(need);
            if (move.signum() > 0) {
                goals.put(symbol, goals.get(symbol).add(direction > 0 ? move : move.negate()));
                need = need.subtract(move);
            }
        }
    }

    /** How far a goal may move toward its target in {@code direction} (up: 1, down: -1). */
    private static BigDecimal room(Planner.Targets targets, Map<String, BigDecimal> goals, String symbol,
            int direction) {
        BigDecimal gap = targets.target(symbol).subtract(goals.get(symbol));
        return direction > 0 ? gap.max(BigDecimal.ZERO) : gap.negate().max(BigDecimal.ZERO);
    }

    private static BigDecimal cashLeft(Planner.Targets targets, Map<String, BigDecimal> goals) {
        return goals.values().stream().reduce(targets.equity, BigDecimal::subtract);
    }

    /** Just inside the band's edge on the side {@code value} is on. */
    private static BigDecimal edge(BigDecimal value, BigDecimal target, BigDecimal band) {
        BigDecimal inside = band.subtract(EDGE_MARGIN.min(band.divide(TWO, SCALE, RoundingMode.HALF_EVEN)));
        return value.compareTo(target) > 0 ? target.add(inside) : target.subtract(inside);
    }

    private static Map<String, String> classes(Map<String, Asset> assets) {
        Map<String, String> classes = new LinkedHashMap<>();
        assets.forEach((symbol, asset) -> classes.put(symbol, asset.assetClass()));
        return classes;
    }

    /** Each weight's band in dollars (null: no drift band), from the portfolio's drift bands at this equity. */
    private static final class Bands {
        private final Map<String, BigDecimal> percentTargets = new LinkedHashMap<>();
        private final Map<String, BigDecimal> dollars = new LinkedHashMap<>();
        private final Map<String, BigDecimal> allowedPercent = new LinkedHashMap<>();
        final BigDecimal cash;

        Bands(Planner.Targets targets, List<Weight> weights, Planner.Policy policy) {
            BigDecimal cashPercent = BigDecimal.ZERO;
            for (Weight weight : weights) {
                if (weight.type() == WeightType.CASH) {
                    cashPercent = cashPercent.add(weight.percent());
                } else {
                    percentTargets.merge(weight.symbol(), weight.percent(), BigDecimal::add);
                }
            }
            for (String symbol : targets.union()) {
                BigDecimal percent = Drift.allowed(percentTargets.getOrDefault(symbol, BigDecimal.ZERO),
                        policy.bands());
                allowedPercent.put(symbol, percent);
                dollars.put(symbol, percent == null ? null : dollars(percent, targets.equity));
            }
            BigDecimal cashAllowed = Drift.allowed(cashPercent, policy.bands());
            cash = cashAllowed == null ? null : dollars(cashAllowed, targets.equity);
        }

        BigDecimal of(String symbol) {
            return dollars.get(symbol);
        }

        /** The weights inside their band as they are (or without a band), each with the words that say so. */
        Map<String, String> skippable(Planner.Targets targets) {
            Map<String, String> inside = new LinkedHashMap<>();
            for (String symbol : targets.union()) {
                BigDecimal band = dollars.get(symbol);
                BigDecimal target = percentTargets.getOrDefault(symbol, BigDecimal.ZERO);
                if (band == null) {
                    inside.put(symbol, "the portfolio has no drift band it would leave");
                } else if (targets.value(symbol).subtract(dollars(target, targets.equity)).abs()
                        .compareTo(band) <= 0) {
                    BigDecimal now = targets.equity.signum() == 0 ? BigDecimal.ZERO : targets.value(symbol)
                            .multiply(HUNDRED).divide(targets.equity, 2, RoundingMode.HALF_EVEN);
                    inside.put(symbol, symbol + " stays inside its band without it (" + now.toPlainString()
                            + " % against " + target.stripTrailingZeros().toPlainString() + " % ± "
                            + allowedPercent.get(symbol).setScale(2, RoundingMode.HALF_EVEN).stripTrailingZeros()
                                    .toPlainString() + ")");
                }
            }
            return inside;
        }

        /** {@code percent} of {@code equity}, in dollars. */
        private static BigDecimal dollars(BigDecimal percent, BigDecimal equity) {
            return percent.multiply(equity).divide(HUNDRED, SCALE, RoundingMode.HALF_EVEN);
        }
    }
}
