package dev.rebalancer.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How urgently a person should hear of an alert; critical ones are never held back for a digest. */
public enum Severity {
    @JsonProperty("info")
    INFO,
    @JsonProperty("warning")
    WARNING,
    @JsonProperty("critical")
    CRITICAL;
}
