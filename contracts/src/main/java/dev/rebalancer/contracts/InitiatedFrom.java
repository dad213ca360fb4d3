package dev.rebalancer.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Who started a run, in Alpaca's words: system (conditions, deposits), api (POST /v1/rebalancing/runs), dashboard. */
public enum InitiatedFrom {
    @JsonProperty("system")
    SYSTEM,
    @JsonProperty("api")
    API,
    @JsonProperty("dashboard")
    DASHBOARD;
}
