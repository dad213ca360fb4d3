package dev.rebalancer.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The kinds of rebalancing condition Alpaca defines. */
public enum ConditionType {
    @JsonProperty("drift_band")
    DRIFT_BAND,
    @JsonProperty("calendar")
    CALENDAR,
    @JsonProperty("on_portfolio_update")
    ON_PORTFOLIO_UPDATE;
}
