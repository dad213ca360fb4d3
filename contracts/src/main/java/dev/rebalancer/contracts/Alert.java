package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredText;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * Something a person should hear about, on {@link Topics#ALERTS}. {@code account_id} is absent only for an alert that
 * concerns no single account (the trading halt, a poison message without a key); {@code source} names the service.
 */
public record Alert(
        String eventId,
        String accountId,
        Instant occurredAt,
        Severity severity,
        String title,
        String detail,
        String runId,
        String source) implements Event {

    public static final String TYPE = "alert";

    public Alert {
        requiredText(eventId, "event_id");
        required(occurredAt, "occurred_at");
        required(severity, "severity");
        requiredText(title, "title");
        required(detail, "detail");
        requiredText(source, "source");
    }

    @Override
    @JsonProperty(value = "event_type", access = JsonProperty.Access.READ_ONLY)
    public String eventType() {
        return TYPE;
    }
}
