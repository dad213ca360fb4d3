package dev.rebalancer.rules.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.ConditionSubType;
import dev.rebalancer.contracts.ConditionType;
import dev.rebalancer.contracts.RebalanceCondition;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CalendarScheduleTest {

    /** Memorial Day 2026 and Christmas 2026, as a configured holiday list would give them. */
    private final CalendarSchedule schedule = new CalendarSchedule(
            Set.of(LocalDate.parse("2026-05-25"), LocalDate.parse("2026-12-25")));

    private static RebalanceCondition calendar(ConditionSubType period, String day) {
        return new RebalanceCondition(ConditionType.CALENDAR, period, null, day);
    }

    /** Every day from..to on which the condition falls. */
    private List<LocalDate> daysFalling(RebalanceCondition condition, String from, String to) {
        return Stream.iterate(LocalDate.parse(from), d -> !d.isAfter(LocalDate.parse(to)), d -> d.plusDays(1))
                .filter(d -> schedule.fallsOn(condition, d)).toList();
    }

    @Test
    void weekly_falls_on_its_weekday_and_on_the_friday_before_when_that_monday_is_a_holiday() {
        assertThat(daysFalling(calendar(ConditionSubType.WEEKLY, "Monday"), "2026-05-11", "2026-06-07"))
                .containsExactly(LocalDate.parse("2026-05-11"), LocalDate.parse("2026-05-18"),
                        LocalDate.parse("2026-05-22"), LocalDate.parse("2026-06-01"));
    }

    @Test
    void monthly_on_a_day_the_month_lacks_falls_on_the_trading_day_before_the_month_ends() {
        assertThat(daysFalling(calendar(ConditionSubType.MONTHLY, "31"), "2026-02-01", "2026-04-30"))
                .containsExactly(LocalDate.parse("2026-02-27"), LocalDate.parse("2026-03-31"),
                        LocalDate.parse("2026-04-30"));
    }

    @Test
    void monthly_on_the_first_that_is_a_sunday_falls_on_the_friday_of_the_month_before() {
        assertThat(daysFalling(calendar(ConditionSubType.MONTHLY, "1"), "2026-10-02", "2026-11-30"))
                .containsExactly(LocalDate.parse("2026-10-30"));
    }

    @Test
    void quarterly_falls_only_in_the_last_month_of_each_quarter_rolled_back_over_weekends() {
        assertThat(daysFalling(calendar(ConditionSubType.QUARTERLY, "15"), "2026-01-01", "2026-12-31"))
                .containsExactly(LocalDate.parse("2026-03-13"), LocalDate.parse("2026-06-15"),
                        LocalDate.parse("2026-09-15"), LocalDate.parse("2026-12-15"));
    }

    @Test
    void annually_on_february_29_in_a_year_without_one_falls_on_the_trading_day_before() {
        assertThat(daysFalling(calendar(ConditionSubType.ANNUALLY, "02-29"), "2026-01-01", "2026-12-31"))
                .containsExactly(LocalDate.parse("2026-02-27"));
        assertThat(daysFalling(calendar(ConditionSubType.ANNUALLY, "02-29"), "2028-01-01", "2028-12-31"))
                .containsExactly(LocalDate.parse("2028-02-29"));
    }

    @Test
    void annually_on_a_holiday_or_a_weekend_rolls_back_even_into_the_year_before() {
        assertThat(daysFalling(calendar(ConditionSubType.ANNUALLY, "12-25"), "2026-12-01", "2026-12-31"))
                .containsExactly(LocalDate.parse("2026-12-24"));
        assertThat(daysFalling(calendar(ConditionSubType.ANNUALLY, "01-01"), "2027-12-01", "2028-01-31"))
                .containsExactly(LocalDate.parse("2027-12-31"));
    }

    @Test
    void weekends_and_holidays_are_not_trading_days() {
        assertThat(schedule.isTradingDay(LocalDate.parse("2026-11-28"))).isFalse();
        assertThat(schedule.isTradingDay(LocalDate.parse("2026-12-25"))).isFalse();
        assertThat(schedule.isTradingDay(LocalDate.parse("2026-11-23"))).isTrue();
    }
}
