package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;

import java.math.BigDecimal;

/**
 * One rebalancing condition in Alpaca's shape. {@code percent} belongs to drift_band conditions, {@code day} to calendar
 * ones ({@code Monday}…{@code Friday}, {@code 1}…{@code 31}, or {@code MM-DD}); on_portfolio_update has neither.
 */
public record RebalanceCondition(ConditionType type, ConditionSubType subType, BigDecimal percent, String day) {

    public RebalanceCondition {
        required(type, "type");
    }
}
