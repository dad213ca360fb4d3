package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.listOrEmpty;
import static dev.rebalancer.contracts.Fields.requiredText;

import java.util.List;

/** Why a rebalance was requested, in words and, for a drift band, the weights that breached it. */
public record Evidence(String description, List<WeightDrift> drifts) {

    public Evidence {
        requiredText(description, "description");
        drifts = listOrEmpty(drifts, "drifts");
    }
}
