package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredText;

import java.math.BigDecimal;

/**
 * One open position as Alpaca reports it: quantity (up to 9 decimals), the current price, the market value and the
 * cost basis (Alpaca's, from its average entry price; absent where unknown).
 */
public record Position(String symbol, BigDecimal qty, BigDecimal currentPrice, BigDecimal marketValue,
        BigDecimal costBasis) {

    public Position {
        requiredText(symbol, "symbol");
        required(qty, "qty");
        required(currentPrice, "current_price");
        required(marketValue, "market_value");
    }

    /** A position whose cost is not told. */
    public Position(String symbol, BigDecimal qty, BigDecimal currentPrice, BigDecimal marketValue) {
        this(symbol, qty, currentPrice, marketValue, null);
    }
}
