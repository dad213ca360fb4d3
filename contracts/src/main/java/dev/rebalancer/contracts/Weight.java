package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredText;

import java.math.BigDecimal;

/**
 * One target weight in Alpaca's shape: {@code {"type":"asset","symbol":"SPY","percent":"60"}} or
 * {@code {"type":"cash","percent":"5"}}. Percent is of the account's equity, 0–100.
 */
public record Weight(WeightType type, String symbol, BigDecimal percent) {

    public Weight {
        required(type, "type");
        required(percent, "percent");
        if (type == WeightType.ASSET) {
            requiredText(symbol, "symbol");
        }
    }

    public static Weight asset(String symbol, String percent) {
        return new Weight(WeightType.ASSET, symbol, new BigDecimal(percent));
    }

    public static Weight cash(String percent) {
        return new Weight(WeightType.CASH, null, new BigDecimal(percent));
    }
}
