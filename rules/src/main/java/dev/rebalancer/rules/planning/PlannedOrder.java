package dev.rebalancer.rules.planning;

import dev.rebalancer.contracts.OrderSide;
import java.math.BigDecimal;

/**
 * An order the plan sends. Buys go by notional (2 decimals) or, for whole-share assets, by whole quantity; sells by
 * quantity (up to 9 decimals; whole shares for whole-share assets). {@code value} is its worth at the planning price.
 */
public record PlannedOrder(String symbol, OrderSide side, BigDecimal qty, BigDecimal notional, BigDecimal value) {
}
