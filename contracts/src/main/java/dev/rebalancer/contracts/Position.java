package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredText;

import java.math.BigDecimal;

/** One open position as Alpaca reports it: quantity (up to 9 decimals), the current price and the market value. */
public record Position(String symbol, BigDecimal qty, BigDecimal currentPrice, BigDecimal marketValue) {

    public Position {
        requiredText(symbol, "symbol");
        required(qty, "qty");
        required(currentPrice, "current_price");
        required(marketValue, "market_value");
    }
}
