package dev.rebalancer.portfolio.alpaca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.alpaca.model.CalendarDay;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which trading day's balance check is due: the last close, half an hour on, until the next session opens. */
class BalanceCheckScheduleTest {

    // Wednesday 2026-11-25 closes early (13:00), Thursday the 26th is Thanksgiving, Friday the 27th trades.
    private static final List<CalendarDay> DAYS = List.of(
            day("2026-11-24", "16:00"), day("2026-11-25", "13:00"), day("2026-11-27", "13:00"),
            day("2026-11-30", "16:00"));

    private static CalendarDay day(String date, String close) {
        return new CalendarDay(LocalDate.parse(date), LocalTime.of(9, 30), LocalTime.parse(close), null);
    }

    private static Instant newYork(String dateTime) {
        return ZonedDateTime.of(java.time.LocalDateTime.parse(dateTime), CalendarDay.NEW_YORK).toInstant();
    }

    @Test
    void the_day_is_due_half_an_hour_after_its_close_and_stays_due_until_the_next_open() {
        Duration after = Duration.ofMinutes(30);
        assertThat(BalanceChecks.due(DAYS, newYork("2026-11-24T16:29"), after)).isEmpty();
        assertThat(BalanceChecks.due(DAYS, newYork("2026-11-24T16:30"), after)).contains(LocalDate.parse("2026-11-24"));
        assertThat(BalanceChecks.due(DAYS, newYork("2026-11-25T09:29"), after)).contains(LocalDate.parse("2026-11-24"));
        assertThat(BalanceChecks.due(DAYS, newYork("2026-11-25T09:30"), after)).isEmpty();
        // An early close is checked after its own close; the holiday has none; it stays due over the holiday.
        assertThat(BalanceChecks.due(DAYS, newYork("2026-11-25T13:30"), after)).contains(LocalDate.parse("2026-11-25"));
        assertThat(BalanceChecks.due(DAYS, newYork("2026-11-26T12:00"), after)).contains(LocalDate.parse("2026-11-25"));
        assertThat(BalanceChecks.due(DAYS, newYork("2026-11-29T12:00"), after)).contains(LocalDate.parse("2026-11-27"));
        assertThat(BalanceChecks.due(DAYS, newYork("2026-11-20T12:00"), after)).isEmpty();
    }
}
