package dev.rebalancer.sim;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * A non-trade activity: a cash deposit ({@code CSD}) or cash journal ({@code JNLC}). Ids sort in time, like Alpaca's
 * ({@code <timestamp>::<uuid>}); {@code status} is Alpaca's {@code executed|correct|canceled}.
 */
record SimActivity(String id, String type, BigDecimal amount, Instant createdAt, String status) {

    SimActivity withStatus(String newStatus) {
        return new SimActivity(id, type, amount, createdAt, newStatus);
    }
}
