package dev.rebalancer.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The phase of a run in progress: sells always settle before buys are sent. */
public enum RunPhase {
    @JsonProperty("sells")
    SELLS,
    @JsonProperty("buys")
    BUYS;
}
