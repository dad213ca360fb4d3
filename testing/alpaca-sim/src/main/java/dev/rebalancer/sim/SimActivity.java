package dev.rebalancer.sim;

import java.math.BigDecimal;
import java.time.Instant;

/**
 * An account activity. A non-trade one: a cash deposit ({@code CSD}) or cash journal ({@code JNLC}), with its amount
 * and Alpaca's status {@code executed|correct|canceled}. A trade one ({@code FILL}): one execution of an order, its
 * {@code fill}. Ids sort in time, like Alpaca's ({@code <timestamp>::<uuid>}).
 */
record SimActivity(String id, String type, BigDecimal amount, Instant createdAt, String status, Fill fill) {

    /** One execution: {@code fill} or {@code partial_fill}, of the order's side and symbol, and where it leaves it. */
    record Fill(String fillType, BigDecimal price, BigDecimal qty, String side, String symbol, BigDecimal leavesQty,
            BigDecimal cumQty, String orderId, String orderStatus) {
    }

    SimActivity(String id, String type, BigDecimal amount, Instant createdAt, String status) {
        this(id, type, amount, createdAt, status, null);
    }

    SimActivity withStatus(String newStatus) {
        return new SimActivity(id, type, amount, createdAt, newStatus, fill);
    }
}
