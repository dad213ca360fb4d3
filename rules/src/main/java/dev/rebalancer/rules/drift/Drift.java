package dev.rebalancer.rules.drift;

import dev.rebalancer.contracts.ConditionSubType;
import dev.rebalancer.contracts.ConditionType;
import dev.rebalancer.contracts.Position;
import dev.rebalancer.contracts.PositionSnapshot;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.contracts.WeightDrift;
import dev.rebalancer.contracts.WeightType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How far an account stands from its targets. Current weight = market value ÷ equity, cash counted as a weight; a
 * position outside the targets counts with target 0. A drift band allows, per weight, a deviation in percentage
 * points: the band itself when absolute, the band's percent of the target weight when relative. A weight breaches
 * when it deviates strictly more than any band allows — exactly on the edge is inside — and by at least $1: a smaller
 * deviation is below Alpaca's minimum order and no trade could mend it (the cents of cash always left over would
 * otherwise breach a relative band on a 0% cash target every day). An asset above its target needs more than $1:
 * market values come rounded to the cent, and $1.00 over may be $0.995 of shares, which the planner, pricing them
 * exactly, cannot sell. The executor's reserve (basis points of equity,
 * which every plan keeps back) is no breach either: cash above its target by no more than the reserve is on target,
 * and so is an asset short of its target by no more than the reserve that cash holds above its own — the buy that
 * would fill it is the one the reserve held back. Otherwise a portfolio without a cash weight, or an asset with a
 * tight relative band, would breach every day on the reserve alone.
 */
public final class Drift {

    /** Percentages are kept to six decimals: far finer than any band, so rounding never decides a breach. */
    private static final int SCALE = 6;
    private static final BigDecimal HUNDRED = new BigDecimal("100");
    private static final BigDecimal MIN_TRADE = BigDecimal.ONE;
    private static final BigDecimal BASIS_POINTS = new BigDecimal("10000");

    private Drift() {
    }

    /** One weight: where it stands, where it should, what its bands allow, and whether it is past them. */
    public record Line(WeightDrift drift, boolean breached) {
    }

    public record Report(List<Line> lines) {
        public boolean breached() {
            return lines.stream().anyMatch(Line::breached);
        }

        public List<WeightDrift> breaches() {
            return lines.stream().filter(Line::breached).map(Line::drift).toList();
        }

        public List<WeightDrift> drifts() {
            return lines.stream().map(Line::drift).toList();
        }
    }

    /**
     * The snapshot as the weights see it under tax-loss harvesting: a held substitute of a weighted security (itself
     * no weight) counts toward that security's weight — one line, its market value and cost added to the security's.
     * Without harvesting (or pairs), the snapshot as it is.
     */
    public static PositionSnapshot paired(PositionSnapshot snapshot, List<Weight> weights,
            dev.rebalancer.contracts.Strategies strategies) {
        dev.rebalancer.contracts.TaxLossHarvesting harvesting = strategies == null ? null
                : strategies.taxLossHarvesting();
        if (harvesting == null || snapshot == null) {
            return snapshot;
        }
        java.util.Set<String> weighted = new java.util.HashSet<>();
        weights.stream().filter(w -> w.type() == WeightType.ASSET).forEach(w -> weighted.add(w.symbol()));
        Map<String, Position> lines = new LinkedHashMap<>();
        for (Position position : snapshot.positions()) {
            String substituteOf = harvesting.substitutes().get(position.symbol());
            String line = !weighted.contains(position.symbol()) && substituteOf != null && weighted.contains(substituteOf)
                    ? substituteOf : position.symbol();
            lines.merge(line, new Position(line, position.qty(), position.currentPrice(), position.marketValue(),
                    position.costBasis()), (a, b) -> new Position(line, a.qty().add(b.qty()), a.currentPrice(),
                    a.marketValue().add(b.marketValue()), a.costBasis() == null || b.costBasis() == null ? null
                            : a.costBasis().add(b.costBasis())));
        }
        return new PositionSnapshot(snapshot.eventId(), snapshot.accountId(), snapshot.occurredAt(), snapshot.equity(),
                snapshot.cash(), snapshot.buyingPower(), List.copyOf(lines.values()));
    }

    /** The drift of every weight with no reserve kept back, or an empty report when the account has no equity. */
    public static Report of(List<Weight> targets, List<RebalanceCondition> conditions, PositionSnapshot snapshot) {
        return of(targets, conditions, snapshot, 0);
    }

    /**
     * The drift of every weight, cash judged net of the reserve the executor keeps ({@code reserveBasisPoints} of
     * equity, rounded up to the cent as the planner does), or an empty report when the account has no equity.
     */
    public static Report of(List<Weight> targets, List<RebalanceCondition> conditions, PositionSnapshot snapshot,
            int reserveBasisPoints) {
        if (snapshot.equity().signum() <= 0) {
            return new Report(List.of());
        }
        BigDecimal reserve = snapshot.equity().multiply(BigDecimal.valueOf(reserveBasisPoints))
                .divide(BASIS_POINTS, 2, RoundingMode.CEILING);
        BigDecimal cashTarget = targets.stream().filter(w -> w.type() == WeightType.CASH).map(Weight::percent)
                .reduce(BigDecimal.ZERO, BigDecimal::add).multiply(snapshot.equity())
                .divide(HUNDRED, SCALE, RoundingMode.HALF_EVEN);
        BigDecimal heldBack = snapshot.cash().subtract(cashTarget).max(BigDecimal.ZERO).min(reserve);
        Map<String, BigDecimal> held = new LinkedHashMap<>();
        for (Position position : snapshot.positions()) {
            held.merge(position.symbol(), position.marketValue(), BigDecimal::add);
        }
        List<Line> lines = new ArrayList<>();
        Map<String, Boolean> targeted = new HashMap<>();
        for (Weight weight : targets) {
            BigDecimal value = weight.type() == WeightType.CASH ? snapshot.cash()
                    : held.getOrDefault(weight.symbol(), BigDecimal.ZERO);
            boolean cash = weight.type() == WeightType.CASH;
            lines.add(line(weight.type(), weight.symbol(), value, weight.percent(), conditions, snapshot.equity(),
                    cash ? reserve : BigDecimal.ZERO, cash ? BigDecimal.ZERO : heldBack));
            if (weight.type() == WeightType.ASSET) {
                targeted.put(weight.symbol(), true);
            }
        }
        if (targets.stream().noneMatch(w -> w.type() == WeightType.CASH)) {
            lines.add(line(WeightType.CASH, null, snapshot.cash(), BigDecimal.ZERO, conditions, snapshot.equity(),
                    reserve, BigDecimal.ZERO));
        }
        held.forEach((symbol, value) -> {
            if (!targeted.containsKey(symbol)) {
                lines.add(line(WeightType.ASSET, symbol, value, BigDecimal.ZERO, conditions, snapshot.equity(),
                        BigDecimal.ZERO, BigDecimal.ZERO));
            }
        });
        return new Report(List.copyOf(lines));
    }

    /**
     * One weight's line; a value above its target by no more than {@code over}, or below it by no more than
     * {@code under}, counts as on target (the reserve, in cash and in the asset it kept from being bought).
     */
    private static Line line(WeightType type, String symbol, BigDecimal value, BigDecimal target,
            List<RebalanceCondition> conditions, BigDecimal equity, BigDecimal over, BigDecimal under) {
        BigDecimal current = percentOf(value, equity);
        BigDecimal targetValue = target.multiply(equity).divide(HUNDRED, SCALE, RoundingMode.HALF_EVEN);
        BigDecimal judged = value.compareTo(targetValue) > 0 ? targetValue.max(value.subtract(over))
                : targetValue.min(value.add(under));
        BigDecimal deviation = percentOf(judged, equity).subtract(target).abs();
        int beyondMinimum = judged.multiply(HUNDRED).subtract(target.multiply(equity)).abs()
                .compareTo(MIN_TRADE.multiply(HUNDRED));
        boolean sellOfShares = type == WeightType.ASSET && judged.compareTo(targetValue) > 0;
        boolean tradable = sellOfShares ? beyondMinimum > 0 : beyondMinimum >= 0;
        BigDecimal tightest = allowed(target, conditions);
        boolean breached = tightest != null && tradable && deviation.compareTo(tightest) > 0;
        return new Line(new WeightDrift(type, symbol, current, target, tightest), breached);
    }

    /**
     * The deviation from {@code target} (percent of equity) a weight may have, in percentage points: the tightest of the
     * drift bands — an absolute band itself, a relative band's percent of the target — or null without a drift band.
     */
    public static BigDecimal allowed(BigDecimal target, List<RebalanceCondition> conditions) {
        BigDecimal tightest = null;
        for (RebalanceCondition condition : conditions) {
            if (condition.type() != ConditionType.DRIFT_BAND) {
                continue;
            }
            BigDecimal allowed = condition.subType() == ConditionSubType.RELATIVE
                    ? target.multiply(condition.percent()).divide(HUNDRED, SCALE, RoundingMode.HALF_EVEN)
                    : condition.percent();
            tightest = tightest == null || allowed.compareTo(tightest) < 0 ? allowed : tightest;
        }
        return tightest;
    }

    static BigDecimal percentOf(BigDecimal value, BigDecimal equity) {
        return value.multiply(HUNDRED).divide(equity, SCALE, RoundingMode.HALF_EVEN);
    }
}
