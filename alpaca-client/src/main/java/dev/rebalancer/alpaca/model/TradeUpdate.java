package dev.rebalancer.alpaca.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;

/**
 * One message of the {@code trade_updates} stream. {@code event} is kept as Alpaca sent it; {@link #kind()} maps it to
 * the events the system acts on, and anything Alpaca adds later to {@link Kind#OTHER}.
 */
public record TradeUpdate(
        String event,
        String executionId,
        Order order,
        Instant timestamp,
        BigDecimal positionQty,
        BigDecimal price,
        BigDecimal qty) {

    public enum Kind { NEW, ACCEPTED, PARTIAL_FILL, FILL, CANCELED, EXPIRED, REJECTED, REPLACED, DONE_FOR_DAY, OTHER }

    public Kind kind() {
        if (event == null) {
            return Kind.OTHER;
        }
        try {
            return Kind.valueOf(event.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            return Kind.OTHER;
        }
    }
}
