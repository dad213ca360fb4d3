package dev.rebalancer.rules.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.PortfolioStatus;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Strategies;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.VolatilityFilter;
import dev.rebalancer.contracts.VolatilityReading;
import dev.rebalancer.contracts.Weight;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * A deposit the volatility filter spreads over days is invested whole and never more: its parts, one a trading day,
 * add up to the deposit to the cent, none is below the minimum deposit, there are no more of them than the portfolio's
 * days, and every part is requested once (a replayed tick asks for nothing new).
 */
class SplitDepositProperties {

    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final BigDecimal MINIMUM = BigDecimal.TEN;

    @Property(tries = 1000)
    void the_parts_of_a_split_deposit_add_up_to_it(@ForAll("amounts") BigDecimal amount,
            @ForAll @IntRange(min = 1, max = 20) int days, @ForAll @IntRange(min = 0, max = 6) int weekday) {
        LocalDate start = LocalDate.parse("2026-11-23").plusDays(weekday); // Monday 23 November and the days after
        Instant depositAt = start.atTime(10, 0).atZone(NEW_YORK).toInstant();
        DriftRules rules = new DriftRules(new DriftRules.Settings(MINIMUM, NEW_YORK, new CalendarSchedule(Set.of()),
                Duration.ofHours(24)));
        rules.volatility().learn(new VolatilityReading("r", depositAt, VolatilityFilter.Source.VIX,
                new BigDecimal("45"), start.minusDays(1), "test"));
        TargetAllocation target = new TargetAllocation("t", "acct", depositAt, "sub", "portfolio",
                PortfolioStatus.ACTIVE, List.of(Weight.asset("SPY", "60"), Weight.asset("TLT", "40")), List.of(), 0,
                null, depositAt, new Strategies(null, null, new VolatilityFilter(null, null, days)));
        AccountState state = AccountState.empty().withTarget(target, false, false);

        DriftRules.Outcome outcome = rules.onDeposit(state, new CashDeposit("activity-1", "acct", depositAt, "CSD",
                amount, "USD"), depositAt);
        List<RebalanceRequest> requests = new ArrayList<>(outcome.requests());
        state = outcome.state();
        for (int day = 0; day < 40; day++) {
            for (int hour : new int[] {10, 14}) { // two ticks a day: the second asks for nothing new
                Instant now = start.plusDays(day).atTime(hour, 0).atZone(NEW_YORK).toInstant();
                DriftRules.Outcome tick = rules.onTick(state, now);
                requests.addAll(tick.requests());
                state = tick.state();
            }
        }

        assertThat(requests).allSatisfy(r -> {
            assertThat(r.type()).isEqualTo(RunType.INVEST_CASH);
            assertThat(r.amount().scale()).isLessThanOrEqualTo(2);
            assertThat(r.amount()).isGreaterThanOrEqualTo(MINIMUM);
        });
        assertThat(requests.stream().map(RebalanceRequest::amount).reduce(BigDecimal.ZERO, BigDecimal::add))
                .isEqualByComparingTo(amount);
        assertThat(requests).hasSizeBetween(1, days);
        assertThat(requests).extracting(RebalanceRequest::requestId).doesNotHaveDuplicates();
        Set<LocalDate> requestedOn = new HashSet<>();
        for (RebalanceRequest r : requests) {
            LocalDate day = r.occurredAt().atZone(NEW_YORK).toLocalDate();
            assertThat(requestedOn.add(day)).as("one part a day").isTrue();
            if (!day.equals(start)) {
                assertThat(day.getDayOfWeek()).as("later parts on trading days")
                        .isNotIn(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
            }
        }
        assertThat(state.tranches()).as("nothing left to invest").isEmpty();
    }

    @Provide
    Arbitrary<BigDecimal> amounts() {
        return Arbitraries.oneOf(Arbitraries.bigDecimals().between(MINIMUM, new BigDecimal("100")).ofScale(2),
                Arbitraries.bigDecimals().between(MINIMUM, new BigDecimal("1000000")).ofScale(2));
    }
}
