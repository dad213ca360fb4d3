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
 * otherwise breach a relative band on a 0% cash target every day).
 */
public final class Drift {

    /** Percentages are kept to six decimals: far finer than any band, so rounding never decides a breach. */
    private static final int SCALE = 6;
    private static final BigDecimal HUNDRED = new BigDecimal("100");
    private static final BigDecimal MIN_TRADE = BigDecimal.ONE;

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

    /** The drift of every weight, or an empty report when the account has no equity to weigh. */
    public static Report of(List<Weight> targets, List<RebalanceCondition> conditions, PositionSnapshot snapshot) {
        if (snapshot.equity().signum() <= 0) {
            return new Report(List.of());
        }
        Map<String, BigDecimal> held = new LinkedHashMap<>();
        for (Position position : snapshot.positions()) {
            held.merge(position.symbol(), position.marketValue(), BigDecimal::add);
        }
        List<Line> lines = new ArrayList<>();
        Map<String, Boolean> targeted = new HashMap<>();
        for (Weight weight : targets) {
            BigDecimal value = weight.type() == WeightType.CASH ? snapshot.cash()
                    : held.getOrDefault(weight.symbol(), BigDecimal.ZERO);
            lines.add(line(weight.type(), weight.symbol(), value, weight.percent(), conditions, snapshot.equity()));
            if (weight.type() == WeightType.ASSET) {
                targeted.put(weight.symbol(), true);
            }
        }
        if (targets.stream().noneMatch(w -> w.type() == WeightType.CASH)) {
            lines.add(line(WeightType.CASH, null, snapshot.cash(), BigDecimal.ZERO, conditions, snapshot.equity()));
        }
        held.forEach((symbol, value) -> {
            if (!targeted.containsKey(symbol)) {
                lines.add(line(WeightType.ASSET, symbol, value, BigDecimal.ZERO, conditions, snapshot.equity()));
            }
        });
        return new Report(List.copyOf(lines));
    }

    private static Line line(WeightType type, String symbol, BigDecimal value, BigDecimal target,
            List<RebalanceCondition> conditions, BigDecimal equity) {
        BigDecimal current = percentOf(value, equity);
        BigDecimal deviation = current.subtract(target).abs();
        boolean tradable = value.multiply(HUNDRED).subtract(target.multiply(equity)).abs()
                .compareTo(MIN_TRADE.multiply(HUNDRED)) >= 0;
        BigDecimal tightest = null;
        boolean breached = false;
        for (RebalanceCondition condition : conditions) {
            if (condition.type() != ConditionType.DRIFT_BAND) {
                continue;
            }
            BigDecimal allowed = condition.subType() == ConditionSubType.RELATIVE
                    ? target.multiply(condition.percent()).divide(HUNDRED, SCALE, RoundingMode.HALF_EVEN)
                    : condition.percent();
            breached |= tradable && deviation.compareTo(allowed) > 0;
            tightest = tightest == null || allowed.compareTo(tightest) < 0 ? allowed : tightest;
        }
        return new Line(new WeightDrift(type, symbol, current, target, tightest), breached);
    }

    static BigDecimal percentOf(BigDecimal value, BigDecimal equity) {
        return value.multiply(HUNDRED).divide(equity, SCALE, RoundingMode.HALF_EVEN);
    }
}
