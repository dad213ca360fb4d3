package dev.rebalancer.executor.domain;

import java.math.BigDecimal;

/** What the account holds of one asset. */
public record Holding(String symbol, BigDecimal qty) {
}
