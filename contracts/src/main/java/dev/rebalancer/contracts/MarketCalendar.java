package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredList;
import static dev.rebalancer.contracts.Fields.requiredText;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;

/**
 * The US equity market's calendar as Alpaca's {@code GET /v2/calendar} gives it, from {@code start} to {@code end}:
 * the trading days with their regular open and close, New York time (an early close is earlier; a holiday is
 * missing). Published by portfolio-service on {@link Topics#CALENDAR} (compacted, key {@link #KEY}) at start and
 * every day; the drift monitor, which talks only to Kafka, reads it.
 */
public record MarketCalendar(
        String eventId,
        Instant occurredAt,
        LocalDate start,
        LocalDate end,
        List<TradingDay> days) implements Event {

    public static final String TYPE = "market_calendar";
    /** The one key of the calendar topic: the market. */
    public static final String KEY = "us_equity";

    public record TradingDay(LocalDate date, LocalTime open, LocalTime close) {
        public TradingDay {
            required(date, "date");
            required(open, "open");
            required(close, "close");
        }
    }

    public MarketCalendar {
        requiredText(eventId, "event_id");
        required(occurredAt, "occurred_at");
        required(start, "start");
        required(end, "end");
        days = requiredList(days, "days");
    }

    @Override
    @JsonProperty(value = "event_type", access = JsonProperty.Access.READ_ONLY)
    public String eventType() {
        return TYPE;
    }
}
