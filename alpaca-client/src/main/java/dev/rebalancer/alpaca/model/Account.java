package dev.rebalancer.alpaca.model;

import java.math.BigDecimal;
import java.time.Instant;

/** {@code GET /v2/account}: the fields the system reads. Alpaca sends more; they are ignored. */
public record Account(
        String id,
        String accountNumber,
        String status,
        String currency,
        BigDecimal cash,
        BigDecimal equity,
        BigDecimal lastEquity,
        BigDecimal buyingPower,
        BigDecimal nonMarginableBuyingPower,
        BigDecimal longMarketValue,
        BigDecimal portfolioValue,
        /** 1 for a cash account; 2 or 4 for a margin account (which Alpaca's pattern-day-trader rule applies to). */
        BigDecimal multiplier,
        boolean patternDayTrader,
        boolean tradingBlocked,
        boolean accountBlocked,
        boolean tradeSuspendedByUser,
        Integer daytradeCount,
        Instant createdAt) {
}
