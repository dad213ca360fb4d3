package dev.rebalancer.notifier.domain;

import dev.rebalancer.contracts.Severity;
import java.util.List;

/**
 * Something to tell the owner: a title, plain-text lines below it, how urgent. Formatting for Telegram happens when it
 * is sent; {@code eventId} is the Kafka event it came from, so a redelivered event is stored once.
 */
public record Notification(String eventId, Severity severity, String accountId, String runId, String title,
        List<String> lines) {

    public Notification {
        lines = List.copyOf(lines);
    }
}
