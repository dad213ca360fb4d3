package dev.rebalancer.rules.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.ConditionSubType;
import dev.rebalancer.contracts.ConditionType;
import dev.rebalancer.contracts.PortfolioStatus;
import dev.rebalancer.contracts.Position;
import dev.rebalancer.contracts.PositionSnapshot;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.contracts.WeightType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** While every weight is inside its bands, no input of positions makes the drift monitor request anything. */
class InsideTheBandsProperties {

    private static final BigDecimal HUNDRED = new BigDecimal("100");
    private static final Instant MONDAY = Instant.parse("2026-11-23T15:00:00Z");
    private final DriftRules rules = new DriftRules(new DriftRules.Settings(BigDecimal.TEN,
            ZoneId.of("America/New_York"), new CalendarSchedule(Set.of()), Duration.ofHours(24)));

    /** A portfolio, its bands, and holdings that deviate from each target by less than the bands allow. */
    record Case(List<Weight> weights, List<RebalanceCondition> bands, PositionSnapshot snapshot) {
    }

    @Property(tries = 1000)
    void no_request_while_every_weight_is_inside_its_bands(@ForAll("insideTheBands") Case inside) {
        TargetAllocation target = new TargetAllocation("t", "acct", MONDAY, "sub", "portfolio", PortfolioStatus.ACTIVE,
                inside.weights(), inside.bands(), 0, null, MONDAY);
        AccountState settled = new AccountState(target, null, Map.of(), null, null, null, false, false, List.of(), null, List.of());

        DriftRules.Outcome outcome = rules.onSnapshot(settled, inside.snapshot(), MONDAY);

        assertThat(Drift.of(inside.weights(), inside.bands(), inside.snapshot()).breached()).isFalse();
        assertThat(outcome.requests()).isEmpty();
    }

    @Provide
    Arbitrary<Case> insideTheBands() {
        Arbitrary<List<Integer>> shares = Arbitraries.integers().between(1, 20).list().ofMinSize(1).ofMaxSize(8);
        Arbitrary<Integer> cashShare = Arbitraries.integers().between(0, 20);
        Arbitrary<BigDecimal> absolute = Arbitraries.bigDecimals().between(new BigDecimal("0.5"), BigDecimal.TEN).ofScale(2);
        Arbitrary<BigDecimal> relative = Arbitraries.bigDecimals().between(new BigDecimal("5"), new BigDecimal("50")).ofScale(2);
        Arbitrary<Integer> bandKinds = Arbitraries.integers().between(1, 3);
        Arbitrary<List<Double>> pulls = Arbitraries.doubles().between(-1, 1).list().ofSize(8);
        Arbitrary<BigDecimal> equity = Arbitraries.bigDecimals().between(new BigDecimal("100"), new BigDecimal("1000000"))
                .ofScale(2);
        return Combinators.combine(shares, cashShare, absolute, relative, bandKinds, pulls, equity)
                .as(InsideTheBandsProperties::build);
    }

    private static Case build(List<Integer> shares, int cashShare, BigDecimal absolute, BigDecimal relative, int kinds,
            List<Double> pulls, BigDecimal equity) {
        List<RebalanceCondition> bands = new ArrayList<>();
        if ((kinds & 1) != 0) {
            bands.add(new RebalanceCondition(ConditionType.DRIFT_BAND, ConditionSubType.ABSOLUTE, absolute, null));
        }
        if ((kinds & 2) != 0) {
            bands.add(new RebalanceCondition(ConditionType.DRIFT_BAND, ConditionSubType.RELATIVE, relative, null));
        }
        int total = shares.stream().mapToInt(Integer::intValue).sum() + cashShare;
        List<Weight> weights = new ArrayList<>();
        BigDecimal assigned = BigDecimal.ZERO;
        for (int i = 0; i < shares.size(); i++) {
            BigDecimal percent = HUNDRED.multiply(BigDecimal.valueOf(shares.get(i)))
                    .divide(BigDecimal.valueOf(total), 2, RoundingMode.DOWN).max(new BigDecimal("0.01"));
            weights.add(new Weight(WeightType.ASSET, "S" + i, percent));
            assigned = assigned.add(percent);
        }
        BigDecimal cashTarget = HUNDRED.subtract(assigned);
        weights.add(new Weight(WeightType.CASH, null, cashTarget));

        // Each asset moves by less than its band, its share of the cash band, and half its target; cash takes the rest.
        int n = shares.size();
        BigDecimal cashRoom = allowed(cashTarget, bands).min(cashTarget);
        List<Position> positions = new ArrayList<>();
        BigDecimal moved = BigDecimal.ZERO;
        for (int i = 0; i < n; i++) {
            BigDecimal target = weights.get(i).percent();
            BigDecimal room = allowed(target, bands).min(cashRoom).min(target.divide(new BigDecimal("2")))
                    .multiply(new BigDecimal("0.9")).divide(BigDecimal.valueOf(n), 6, RoundingMode.DOWN);
            BigDecimal deviation = room.multiply(BigDecimal.valueOf(pulls.get(i))).setScale(6, RoundingMode.DOWN);
            BigDecimal value = target.add(deviation).multiply(equity).divide(HUNDRED, 2, RoundingMode.HALF_EVEN);
            positions.add(new Position("S" + i, BigDecimal.ONE, value, value));
            moved = moved.add(value);
        }
        BigDecimal cash = equity.subtract(moved);
        return new Case(weights, bands, new PositionSnapshot("s", "acct", MONDAY, equity, cash, cash, positions));
    }

    private static BigDecimal allowed(BigDecimal target, List<RebalanceCondition> bands) {
        BigDecimal allowed = null;
        for (RebalanceCondition band : bands) {
            BigDecimal a = band.subType() == ConditionSubType.RELATIVE
                    ? target.multiply(band.percent()).divide(HUNDRED, 6, RoundingMode.DOWN) : band.percent();
            allowed = allowed == null ? a : allowed.min(a);
        }
        return allowed;
    }
}
