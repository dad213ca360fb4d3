package dev.rebalancer.contracts;

import java.time.Instant;

/** What every event carries: its id (consumers deduplicate on it), its type, and when it happened. */
public interface Event {

    String eventId();

    String eventType();

    Instant occurredAt();
}
