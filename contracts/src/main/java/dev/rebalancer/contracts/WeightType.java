package dev.rebalancer.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Whether a weight is held in an asset or in cash. */
public enum WeightType {
    @JsonProperty("cash")
    CASH,
    @JsonProperty("asset")
    ASSET;
}
