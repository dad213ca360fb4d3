package dev.rebalancer.alpaca.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * A non-trade account activity ({@code CSD}, {@code JNLC}, ...). {@code id} has the form {@code "<timestamp>::<uuid>"}
 * and orders activities in time; it is also the {@code page_token} for the next page.
 */
public record Activity(
        String id,
        String activityType,
        String activitySubType,
        LocalDate date,
        Instant createdAt,
        BigDecimal netAmount,
        String currency,
        String description,
        String status,
        String symbol,
        BigDecimal qty,
        BigDecimal perShareAmount,
        String groupId) {
}
