package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;

import java.math.BigDecimal;

/**
 * How far one weight stands from its target, in percentage points of equity. {@code band_percent} is the deviation the
 * portfolio's drift band allows for this weight, already converted to percentage points for a relative band.
 */
public record WeightDrift(
        WeightType type,
        String symbol,
        BigDecimal currentPercent,
        BigDecimal targetPercent,
        BigDecimal bandPercent) {

    public WeightDrift {
        required(type, "type");
        required(currentPercent, "current_percent");
        required(targetPercent, "target_percent");
    }
}
