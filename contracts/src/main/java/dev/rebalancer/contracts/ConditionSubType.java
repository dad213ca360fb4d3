package dev.rebalancer.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** drift_band: absolute (percentage points) or relative (percent of the target weight); calendar: its period. */
public enum ConditionSubType {
    @JsonProperty("absolute")
    ABSOLUTE,
    @JsonProperty("relative")
    RELATIVE,
    @JsonProperty("weekly")
    WEEKLY,
    @JsonProperty("monthly")
    MONTHLY,
    @JsonProperty("quarterly")
    QUARTERLY,
    @JsonProperty("annually")
    ANNUALLY;
}
