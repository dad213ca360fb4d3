package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredText;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An order of a run, in the subset of Alpaca's order shape the system uses. Buys carry {@code notional} (2 decimals),
 * sells {@code qty} (up to 9). {@code id} is Alpaca's order id, absent until Alpaca accepted it (and for a dry run);
 * {@code status} is Alpaca's order status, kept as text because Alpaca keeps adding values; {@code reason} is Alpaca's
 * message for a failed order.
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
        String reason) {

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
