package dev.rebalancer.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What caused a rebalance request. */
public enum Trigger {
    @JsonProperty("drift_band")
    DRIFT_BAND,
    @JsonProperty("cash_deposit")
    CASH_DEPOSIT,
    @JsonProperty("calendar")
    CALENDAR,
    @JsonProperty("portfolio_update")
    PORTFOLIO_UPDATE,
    @JsonProperty("subscription_created")
    SUBSCRIPTION_CREATED,
    @JsonProperty("manual")
    MANUAL,
    /** A position's loss passed the portfolio's tax-loss harvesting threshold (not one of Alpaca's triggers). */
    @JsonProperty("tax_loss")
    TAX_LOSS;
}
