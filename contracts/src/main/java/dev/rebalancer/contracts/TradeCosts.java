package dev.rebalancer.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.TreeMap;

/**
 * "Trades only where they pay", a portfolio's opt-in strategy: a trade is skipped (reason
 * {@link #COST_EXCEEDS_BENEFIT}) when it is smaller than the minimum trade — {@code min_trade_usd}, or
 * {@code min_trade_percent} of equity — or its estimated cost exceeds {@code max_cost_percent} of its value, or, with
 * {@code skip_inside_band}, when its weight is inside its drift band without it; a trade that a weight outside its band
 * (cash included) needs is never skipped. The estimated cost of a trade is {@code per_order_usd} plus its value times
 * the spread of its asset class ({@code spread_bps}: basis points, {@code us_equity} and {@code crypto}, Alpaca's asset
 * classes). {@code rebalance_to} {@code band_edge} trades a weight past its band back to the band's edge instead of
 * its target. Missing fields take the defaults below.
 */
public record TradeCosts(
        BigDecimal minTradeUsd,
        BigDecimal minTradePercent,
        Map<String, BigDecimal> spreadBps,
        BigDecimal perOrderUsd,
        BigDecimal maxCostPercent,
        Boolean skipInsideBand,
        RebalanceTo rebalanceTo) {

    public static final String COST_EXCEEDS_BENEFIT = "COST_EXCEEDS_BENEFIT";
    public static final Map<String, BigDecimal> DEFAULT_SPREAD_BPS = Map.of("us_equity", new BigDecimal("2"),
            "crypto", new BigDecimal("25"));
    public static final BigDecimal DEFAULT_MAX_COST_PERCENT = new BigDecimal("0.5");
    private static final BigDecimal BASIS_POINTS = new BigDecimal("10000");

    /** Where a weight past its band is traded back to. */
    public enum RebalanceTo {
        @JsonProperty("target")
        TARGET,
        @JsonProperty("band_edge")
        BAND_EDGE
    }

    public TradeCosts {
        minTradeUsd = orDefault(minTradeUsd, BigDecimal.ZERO, "min_trade_usd");
        minTradePercent = orDefault(minTradePercent, BigDecimal.ZERO, "min_trade_percent");
        Map<String, BigDecimal> spreads = new TreeMap<>(DEFAULT_SPREAD_BPS);
        if (spreadBps != null) {
            spreadBps.forEach((assetClass, bps) -> spreads.put(assetClass, orDefault(bps, BigDecimal.ZERO,
                    "spread_bps." + assetClass)));
        }
        spreadBps = Map.copyOf(spreads);
        perOrderUsd = orDefault(perOrderUsd, BigDecimal.ZERO, "per_order_usd");
        maxCostPercent = orDefault(maxCostPercent, DEFAULT_MAX_COST_PERCENT, "max_cost_percent");
        skipInsideBand = skipInsideBand == null || skipInsideBand;
        rebalanceTo = rebalanceTo == null ? RebalanceTo.TARGET : rebalanceTo;
    }

    /** Every default: no minimum beyond Alpaca's, the default spreads, 0.5 %, skipping inside the band, to target. */
    public static TradeCosts defaults() {
        return new TradeCosts(null, null, null, null, null, null, null);
    }

    private static BigDecimal orDefault(BigDecimal value, BigDecimal fallback, String field) {
        if (value == null) {
            return fallback;
        }
        if (value.signum() < 0) {
            throw new MissingFieldException(field, "must not be negative");
        }
        return value;
    }

    /** The estimated cost of trading {@code value} dollars of an asset of {@code assetClass}, to the cent, up. */
    public BigDecimal estimatedCost(String assetClass, BigDecimal value) {
        BigDecimal bps = spreadBps.getOrDefault(assetClass == null ? "us_equity" : assetClass,
                spreadBps.get("us_equity"));
        return perOrderUsd.add(value.abs().multiply(bps).divide(BASIS_POINTS, 2, RoundingMode.CEILING));
    }

    /** The smallest trade worth making on an account of {@code equity}: the larger of the two minimums. */
    public BigDecimal minTrade(BigDecimal equity) {
        return minTradeUsd.max(equity.multiply(minTradePercent).divide(new BigDecimal("100"), 2, RoundingMode.CEILING));
    }

    public boolean toBandEdge() {
        return rebalanceTo == RebalanceTo.BAND_EDGE;
    }
}
