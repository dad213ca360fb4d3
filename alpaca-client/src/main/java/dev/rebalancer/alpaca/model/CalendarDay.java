package dev.rebalancer.alpaca.model;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * A trading day of {@code GET /v2/calendar}: its date and the regular session's open and close, New York time
 * (Alpaca sends them as {@code "09:30"}, {@code "16:00"}; an early close is earlier). Days that are not listed are
 * not trading days.
 */
public record CalendarDay(LocalDate date, LocalTime open, LocalTime close, LocalDate settlementDate) {

    public static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    public ZonedDateTime opensAt() {
        return date.atTime(open).atZone(NEW_YORK);
    }

    public ZonedDateTime closesAt() {
        return date.atTime(close).atZone(NEW_YORK);
    }
}
