package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredText;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An order of a run, with what Alpaca said of it. Buys carry {@code notional} (2 decimals), sells {@code qty} (up to
 * 9). {@code id} is Alpaca's order id, absent when Alpaca refused the POST; {@code status} is Alpaca's order status,
 * kept as text because Alpaca keeps adding values ({@code rejected} for a refused POST); {@code reason} is Alpaca's
 * message for a failed order. The times are Alpaca's, except for a refused POST: then {@code failedAt} (and
 * {@code createdAt}) is when it was refused. Every order is a market day order, as the executor sends them.
 */
public record RunOrder(
        String id,
        String clientOrderId,
        String symbol,
        OrderSide side,
        BigDecimal qty,
        BigDecimal notional,
        BigDecimal filledQty,
        BigDecimal filledAvgPrice,
        String status,
        Instant submittedAt,
        Instant filledAt,
        String reason,
        String assetId,
        Instant createdAt,
        Instant updatedAt,
        Instant expiredAt,
        Instant canceledAt,
        Instant failedAt,
        Instant expiresAt) {

    public RunOrder {
        requiredText(clientOrderId, "client_order_id");
        requiredText(symbol, "symbol");
        required(side, "side");
        if (qty == null && notional == null) {
            throw new MissingFieldException("qty", "or 'notional' is required");
        }
        requiredText(status, "status");
    }
}
