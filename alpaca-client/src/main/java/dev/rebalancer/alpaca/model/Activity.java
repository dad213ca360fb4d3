package dev.rebalancer.alpaca.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * An account activity: a non-trade one ({@code CSD}, {@code JNLC}, ...: its amount, status, …) or a trade one
 * ({@code FILL}: one execution of an order — {@code type} fill or partial_fill, price, qty, side, symbol, the order and
 * when). {@code id} has the form {@code "<timestamp>::<uuid>"} and orders activities in time; it is also the
 * {@code page_token} for the next page.
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
        String groupId,
        Instant transactionTime,
        String type,
        BigDecimal price,
        String side,
        String orderId,
        BigDecimal cumQty,
        BigDecimal leavesQty,
        String orderStatus) {
}
