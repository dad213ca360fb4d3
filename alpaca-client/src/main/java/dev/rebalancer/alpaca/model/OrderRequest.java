package dev.rebalancer.alpaca.model;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Objects;

/**
 * {@code POST /v2/orders}. The factories build the only orders the rebalancer sends: market, day, buys by notional
 * (2 decimals) and sells by quantity (up to 9 decimals), each with a client order id the caller derives.
 */
public record OrderRequest(
        String symbol,
        BigDecimal qty,
        BigDecimal notional,
        String side,
        String type,
        String timeInForce,
        BigDecimal limitPrice,
        String clientOrderId) {

    /** Alpaca's limit on {@code client_order_id}. */
    public static final int MAX_CLIENT_ORDER_ID_LENGTH = 128;

    public OrderRequest {
        Objects.requireNonNull(symbol, "symbol");
        Objects.requireNonNull(side, "side");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(timeInForce, "time_in_force");
        if ((qty == null) == (notional == null)) {
            throw new IllegalArgumentException("exactly one of qty and notional is required");
        }
        if (clientOrderId != null && clientOrderId.length() > MAX_CLIENT_ORDER_ID_LENGTH) {
            throw new IllegalArgumentException("client_order_id is longer than " + MAX_CLIENT_ORDER_ID_LENGTH);
        }
    }

    public static OrderRequest marketBuyNotional(String symbol, BigDecimal notional, String clientOrderId) {
        return new OrderRequest(symbol, null, notional.setScale(2, RoundingMode.DOWN), "buy", "market", "day", null,
                clientOrderId);
    }

    public static OrderRequest marketBuyQty(String symbol, BigDecimal qty, String clientOrderId) {
        return new OrderRequest(symbol, qty.setScale(9, RoundingMode.DOWN).stripTrailingZeros(), null, "buy", "market",
                "day", null, clientOrderId);
    }

    public static OrderRequest marketSellQty(String symbol, BigDecimal qty, String clientOrderId) {
        return new OrderRequest(symbol, qty.setScale(9, RoundingMode.DOWN).stripTrailingZeros(), null, "sell", "market",
                "day", null, clientOrderId);
    }
}
