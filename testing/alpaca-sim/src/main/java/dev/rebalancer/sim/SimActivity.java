package dev.rebalancer.sim;

import java.math.BigDecimal;
import java.time.Instant;

/** A non-trade activity: a cash deposit ({@code CSD}). Ids sort in time, like Alpaca's. */
record SimActivity(String id, String type, BigDecimal amount, Instant createdAt) {
}
