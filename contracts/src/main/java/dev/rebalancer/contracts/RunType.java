package dev.rebalancer.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The kinds of run Alpaca's rebalancer performs, and one of ours: {@code tax_loss_harvest} (a position past its loss
 * threshold sold and its substitute bought), kept out of Alpaca-shaped run lists unless asked for.
 */
public enum RunType {
    @JsonProperty("full_rebalance")
    FULL_REBALANCE,
    @JsonProperty("invest_cash")
    INVEST_CASH,
    @JsonProperty("partial_liquidation")
    PARTIAL_LIQUIDATION,
    @JsonProperty("tax_loss_harvest")
    TAX_LOSS_HARVEST;

    /** Whether a request of this type names its dollars: invest_cash and partial_liquidation do. */
    public boolean hasAmount() {
        return this == INVEST_CASH || this == PARTIAL_LIQUIDATION;
    }
}
