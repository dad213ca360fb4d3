package dev.rebalancer.sim;

import java.math.BigDecimal;
import java.time.Instant;

/** An order at the simulator; mutated only under the broker's lock. */
final class SimOrder {

    final String id;
    final String clientOrderId;
    final SimAsset asset;
    final String side;
    final String type;
    final String timeInForce;
    final BigDecimal qty;
    final BigDecimal notional;
    final Instant createdAt;
    /** When Alpaca would end it unfilled: a day order at the session's close. */
    final Instant expiresAt;
    BigDecimal filledQty = BigDecimal.ZERO;
    /** For notional orders: how much of the notional has been filled so far. */
    BigDecimal filledNotional = BigDecimal.ZERO;
    BigDecimal filledAvgPrice;
    String status = "accepted";
    Instant updatedAt;
    Instant filledAt;
    Instant canceledAt;
    Instant expiredAt;
    Instant failedAt;
    /** Whether its fills are scheduled; orders placed while the market is closed wait for the open. */
    boolean scheduled;

    SimOrder(String id, String clientOrderId, SimAsset asset, String side, String type, String timeInForce,
            BigDecimal qty, BigDecimal notional, Instant createdAt, Instant expiresAt) {
        this.id = id;
        this.clientOrderId = clientOrderId;
        this.asset = asset;
        this.side = side;
        this.type = type;
        this.timeInForce = timeInForce;
        this.qty = qty;
        this.notional = notional;
        this.createdAt = createdAt;
        this.expiresAt = expiresAt;
        this.updatedAt = createdAt;
    }

    boolean isOpen() {
        return switch (status) {
            case "filled", "canceled", "expired", "rejected", "replaced", "done_for_day" -> false;
            default -> true;
        };
    }

    boolean isBuy() {
        return "buy".equals(side);
    }

    /** What is left to fill, in the order's own unit (qty, or notional dollars). */
    BigDecimal remaining() {
        return notional != null ? notional.subtract(filledNotional) : qty.subtract(filledQty);
    }
}
