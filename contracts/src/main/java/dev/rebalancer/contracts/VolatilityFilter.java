package dev.rebalancer.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;

/**
 * The volatility filter, a portfolio's opt-in strategy: while the market's volatility reading is above
 * {@code threshold}, automatic full rebalances (drift, calendar, a new subscription, a changed portfolio) are deferred,
 * and — with {@code invest_cash_days} above 1 — a deposit is invested in that many parts, one a trading day, instead
 * of at once. A manual run is never deferred. A reading older than {@link #MAX_AGE_DAYS} days defers nothing.
 *
 * @param source         {@code vix}: the VIX close from Cboe's daily history file (the default);
 *                       {@code spy_realized_vol}: SPY's 20-day realised volatility, annualised, in percent, from
 *                       Alpaca's daily bars
 * @param threshold      above it, volatility is high; default {@link #DEFAULT_THRESHOLD}
 * @param investCashDays how many trading days a deposit is spread over while volatility is high; 1 (the default)
 *                       invests it at once
 */
public record VolatilityFilter(Source source, BigDecimal threshold, Integer investCashDays) {

    public static final BigDecimal DEFAULT_THRESHOLD = new BigDecimal("30");
    public static final int MAX_INVEST_CASH_DAYS = 20;
    /** How old (calendar days, New York) a reading may be and still count. */
    public static final int MAX_AGE_DAYS = 5;

    /** Where the reading comes from; also the key of its record on {@link Topics#VOLATILITY}. */
    public enum Source {
        @JsonProperty("vix")
        VIX("VIX", "vix"),
        @JsonProperty("spy_realized_vol")
        SPY_REALIZED_VOL("SPY's 20-day realised volatility", "spy_realized_vol");

        private final String label;
        private final String key;

        Source(String label, String key) {
            this.label = label;
            this.key = key;
        }

        /** How a person reads its name: "VIX". */
        public String label() {
            return label;
        }

        /** As JSON and the topic's key spell it: {@code vix}. */
        public String key() {
            return key;
        }

        public static java.util.Optional<Source> ofKey(String key) {
            for (Source source : values()) {
                if (source.key.equals(key)) {
                    return java.util.Optional.of(source);
                }
            }
            return java.util.Optional.empty();
        }
    }

    public VolatilityFilter {
        source = source == null ? Source.VIX : source;
        threshold = threshold == null ? DEFAULT_THRESHOLD : threshold;
        investCashDays = investCashDays == null ? 1 : investCashDays;
        if (threshold.signum() <= 0) {
            throw new MissingFieldException("threshold", "must be more than 0");
        }
        if (investCashDays < 1 || investCashDays > MAX_INVEST_CASH_DAYS) {
            throw new MissingFieldException("invest_cash_days", "must be from 1 to " + MAX_INVEST_CASH_DAYS);
        }
    }

    public static VolatilityFilter defaults() {
        return new VolatilityFilter(null, null, null);
    }

    /** Whether {@code reading} is high and fresh enough to count on {@code today}. */
    public boolean high(VolatilityReading reading, java.time.LocalDate today) {
        return reading != null && reading.source() == source && !reading.asOf().isAfter(today)
                && !reading.asOf().plusDays(MAX_AGE_DAYS).isBefore(today) && reading.value().compareTo(threshold) > 0;
    }
}
