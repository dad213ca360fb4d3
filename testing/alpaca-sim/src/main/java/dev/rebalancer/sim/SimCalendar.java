package dev.rebalancer.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The market calendar of {@code GET /v2/calendar}: every weekday is a trading day from 09:30 to 16:00 New York time,
 * except the holidays (no entry) and the early closes (an earlier close). It starts with the NYSE's published
 * holidays and early closes of 2026 and 2027; {@code PUT /sim/calendar} replaces them. Guarded by the broker's lock.
 */
final class SimCalendar {

    static final LocalTime OPEN = LocalTime.of(9, 30);
    static final LocalTime CLOSE = LocalTime.of(16, 0);
    private static final int MAX_DAYS = 3_660;

    private final TreeSet<LocalDate> holidays = new TreeSet<>();
    private final TreeMap<LocalDate, LocalTime> earlyCloses = new TreeMap<>();

    SimCalendar() {
        for (String day : new String[] {"2026-01-01", "2026-01-19", "2026-02-16", "2026-04-03", "2026-05-25",
                "2026-06-19", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25", "2027-01-01", "2027-01-18",
                "2027-02-15", "2027-03-26", "2027-05-31", "2027-06-18", "2027-07-05", "2027-09-06", "2027-11-25",
                "2027-12-24"}) {
            holidays.add(LocalDate.parse(day));
        }
        earlyCloses.put(LocalDate.parse("2026-11-27"), LocalTime.of(13, 0));
        earlyCloses.put(LocalDate.parse("2026-12-24"), LocalTime.of(13, 0));
        earlyCloses.put(LocalDate.parse("2027-11-26"), LocalTime.of(13, 0));
    }

    /** {@code PUT /sim/calendar}: {@code {"holidays": ["YYYY-MM-DD", ...], "early_closes": {"YYYY-MM-DD": "HH:MM"}}}. */
    ObjectNode replace(JsonNode body) {
        TreeSet<LocalDate> newHolidays = new TreeSet<>();
        TreeMap<LocalDate, LocalTime> newEarlyCloses = new TreeMap<>();
        JsonNode days = body.path("holidays");
        if (!days.isMissingNode() && !days.isArray()) {
            throw SimError.validation("holidays must be an array of dates (YYYY-MM-DD)");
        }
        days.forEach(day -> newHolidays.add(date(day.asText(), "holidays")));
        JsonNode early = body.path("early_closes");
        if (!early.isMissingNode() && !early.isObject()) {
            throw SimError.validation("early_closes must be an object of date (YYYY-MM-DD) to close time (HH:MM)");
        }
        early.fields().forEachRemaining(e -> {
            LocalTime close;
            try {
                close = LocalTime.parse(e.getValue().asText());
            } catch (DateTimeParseException ex) {
                throw SimError.validation("early_closes." + e.getKey() + " must be a time HH:MM");
            }
            // Any time before the regular close: a test may want today's session to have ended already.
            if (!close.isBefore(CLOSE)) {
                throw SimError.validation("early_closes." + e.getKey() + " must be before 16:00");
            }
            newEarlyCloses.put(date(e.getKey(), "early_closes"), close);
        });
        holidays.clear();
        holidays.addAll(newHolidays);
        earlyCloses.clear();
        earlyCloses.putAll(newEarlyCloses);
        ObjectNode json = SimJson.MAPPER.createObjectNode();
        ArrayNode list = json.putArray("holidays");
        holidays.forEach(d -> list.add(d.toString()));
        ObjectNode closes = json.putObject("early_closes");
        earlyCloses.forEach((d, t) -> closes.put(d.toString(), t.toString()));
        return json;
    }

    boolean isTradingDay(LocalDate day) {
        return day.getDayOfWeek() != DayOfWeek.SATURDAY && day.getDayOfWeek() != DayOfWeek.SUNDAY
                && !holidays.contains(day);
    }

    /**
     * The session the simulator's clock has open today (New York date): the calendar agrees with the clock, as
     * Alpaca's do. The simulator's sessions are set by its clock, not by the time of day, so while the clock is open
     * today is a trading day whatever the date, listed until 23:59 — unless an early close is set for today, which
     * then ends it (the clock's own close is left to the clock).
     */
    record Session(LocalDate date, LocalTime open, LocalTime close) {
    }

    /** {@code GET /v2/calendar?start&end}: the trading days between both dates, both included. */
    ArrayNode days(LocalDate start, LocalDate end, Session today) {
        if (end.isBefore(start)) {
            throw new SimError(400, SimError.VALIDATION, "end must not be before start");
        }
        if (start.plusDays(MAX_DAYS).isBefore(end)) {
            throw new SimError(400, SimError.VALIDATION, "at most " + MAX_DAYS + " days at once");
        }
        ArrayNode json = SimJson.array();
        for (LocalDate day = start; !day.isAfter(end); day = day.plusDays(1)) {
            boolean open = today != null && today.date().equals(day);
            if (open || isTradingDay(day)) {
                LocalDate settles = day.plusDays(1);
                while (!isTradingDay(settles)) {
                    settles = settles.plusDays(1);
                }
                json.add(SimJson.calendarDay(day, open ? today.open() : OPEN,
                        earlyCloses.getOrDefault(day, open ? today.close() : CLOSE), settles));
            }
        }
        return json;
    }

    static LocalDate date(String text, String field) {
        try {
            return LocalDate.parse(text);
        } catch (DateTimeParseException e) {
            throw SimError.validation(field + " must be dates YYYY-MM-DD: " + text);
        }
    }
}
