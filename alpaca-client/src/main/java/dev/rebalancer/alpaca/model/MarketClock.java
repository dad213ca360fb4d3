package dev.rebalancer.alpaca.model;

import java.time.Duration;
import java.time.OffsetDateTime;

/** {@code GET /v2/clock}. */
public record MarketClock(OffsetDateTime timestamp, boolean isOpen, OffsetDateTime nextOpen, OffsetDateTime nextClose) {

    /** Time left until the close, or zero while the market is closed. */
    public Duration untilClose() {
        return isOpen ? Duration.between(timestamp, nextClose) : Duration.ZERO;
    }
}
