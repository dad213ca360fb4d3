package dev.rebalancer.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A portfolio's status in Alpaca's words; only active portfolios take new subscriptions or trigger runs. */
public enum PortfolioStatus {
    @JsonProperty("active")
    ACTIVE,
    @JsonProperty("inactive")
    INACTIVE,
    @JsonProperty("needs_adjustment")
    NEEDS_ADJUSTMENT;
}
