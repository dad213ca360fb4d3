package dev.rebalancer.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The kinds of run Alpaca's rebalancer performs. */
public enum RunType {
    @JsonProperty("full_rebalance")
    FULL_REBALANCE,
    @JsonProperty("invest_cash")
    INVEST_CASH,
    @JsonProperty("partial_liquidation")
    PARTIAL_LIQUIDATION;
}
