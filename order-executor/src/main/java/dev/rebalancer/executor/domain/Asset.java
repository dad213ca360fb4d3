package dev.rebalancer.executor.domain;

import java.math.BigDecimal;

/** An asset a plan may trade: the price the plan is made at, and whether Alpaca trades it in fractions. */
public record Asset(String symbol, BigDecimal price, boolean fractionable) {
}
