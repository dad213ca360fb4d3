package dev.rebalancer.alpaca.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Set;

/**
 * An order as Alpaca returns it. {@code status} stays text: Alpaca's list of statuses is long and grows.
 */
public record Order(
        String id,
        String clientOrderId,
        Instant createdAt,
        Instant updatedAt,
        Instant submittedAt,
        Instant filledAt,
        Instant expiredAt,
        Instant canceledAt,
        Instant failedAt,
        Instant expiresAt,
        String assetId,
        String symbol,
        String assetClass,
        BigDecimal notional,
        BigDecimal qty,
        BigDecimal filledQty,
        BigDecimal filledAvgPrice,
        String orderClass,
        String type,
        String side,
        String timeInForce,
        BigDecimal limitPrice,
        String status,
        boolean extendedHours) {

    /** The statuses after which an order never changes again (Alpaca: filled, canceled, expired, rejected, replaced). */
    public static final Set<String> TERMINAL_STATUSES = Set.of("filled", "canceled", "expired", "rejected", "replaced");

    public boolean isTerminal() {
        return TERMINAL_STATUSES.contains(status);
    }
}
