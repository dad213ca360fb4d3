package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredText;

import java.math.BigDecimal;

/**
 * An order the plan wanted but did not send, in Alpaca's shape, e.g. reason {@code ORDER_LESS_THAN_MIN_NOTIONAL} with
 * details {@code "order notional value $0.1 is less than min-notional set for correspondent ($1.0)"}.
 */
public record SkippedOrder(
        String symbol,
        OrderSide side,
        BigDecimal notional,
        String currency,
        String reason,
        String reasonDetails) {

    public static final String LESS_THAN_MIN_NOTIONAL = "ORDER_LESS_THAN_MIN_NOTIONAL";

    public SkippedOrder {
        requiredText(symbol, "symbol");
        required(side, "side");
        requiredText(reason, "reason");
        requiredText(reasonDetails, "reason_details");
    }
}
