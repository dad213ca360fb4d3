package dev.rebalancer.alpaca.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * One bar of Alpaca's market data API ({@code GET /v2/stocks/{symbol}/bars}): its start {@code t} (a daily bar's is
 * midnight New York time), open, high, low, close, volume, trade count and volume-weighted average price.
 */
public record Bar(
        @JsonProperty("t") Instant time,
        @JsonProperty("o") BigDecimal open,
        @JsonProperty("h") BigDecimal high,
        @JsonProperty("l") BigDecimal low,
        @JsonProperty("c") BigDecimal close,
        @JsonProperty("v") long volume,
        @JsonProperty("n") long trades,
        @JsonProperty("vw") BigDecimal vwap) {

    /** The trading day of a daily bar. */
    public LocalDate day() {
        return time.atZone(CalendarDay.NEW_YORK).toLocalDate();
    }

    /** A page of bars; {@code bars} is null when Alpaca has none. */
    public record Page(java.util.List<Bar> bars, String symbol, String nextPageToken) {
    }

    /** A page of bars of several symbols ({@code GET /v2/stocks/bars}), by symbol. */
    public record Pages(java.util.Map<String, java.util.List<Bar>> bars, String nextPageToken) {
    }

    /** How the prices before a corporate action are adjusted ({@code adjustment}). */
    public enum Adjustment {
        /** As traded. */
        RAW,
        /** For splits only: a dividend shows as the price's drop on its ex-date. */
        SPLIT,
        /** For splits and dividends: the closes are a total return. */
        ALL;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
