package dev.rebalancer.portfolio.domain;

import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Weight;
import java.math.BigDecimal;
import java.util.List;

/** {@code POST /v1/rebalancing/runs} as accepted at the edge: the amount is null for a full rebalance. */
public record ManualRun(String accountId, RunType type, List<Weight> weights, BigDecimal amount) {
}
