package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredText;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The market's latest volatility reading from one {@link VolatilityFilter.Source}: the value (VIX points, or percent
 * annualised), the trading day it closed on, and where it came from in words. Published by portfolio-service on the
 * compacted {@link Topics#VOLATILITY}, keyed by {@link VolatilityFilter.Source#key()}; the drift monitor reads it.
 */
public record VolatilityReading(
        String eventId,
        Instant occurredAt,
        VolatilityFilter.Source source,
        BigDecimal value,
        LocalDate asOf,
        String origin) implements Event {

    public static final String TYPE = "volatility_reading";

    public VolatilityReading {
        requiredText(eventId, "event_id");
        required(occurredAt, "occurred_at");
        required(source, "source");
        required(value, "value");
        required(asOf, "as_of");
        requiredText(origin, "origin");
    }

    /** "VIX 34.20 (close of 2026-12-02)". */
    public String describe() {
        return source.label() + " " + value.toPlainString() + " (close of " + asOf + ")";
    }

    @Override
    @JsonProperty(value = "event_type", access = JsonProperty.Access.READ_ONLY)
    public String eventType() {
        return TYPE;
    }
}
