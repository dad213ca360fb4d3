package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredText;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

/**
 * An automatic full rebalance the drift monitor did not request because of the portfolio's volatility filter: what
 * would have run ({@code trigger}, {@code description}) and the reading that held it back. At most one per account and
 * trading day (event id {@code deferral:<account>:<day>}); published on {@link Topics#DEFERRALS}, recorded by
 * portfolio-service.
 */
public record RebalanceDeferred(
        String eventId,
        String accountId,
        Instant occurredAt,
        LocalDate day,
        String portfolioId,
        Trigger trigger,
        String description,
        VolatilityFilter.Source source,
        BigDecimal reading,
        LocalDate readingAsOf,
        BigDecimal threshold) implements AccountEvent {

    public static final String TYPE = "rebalance_deferred";

    public RebalanceDeferred {
        requiredText(eventId, "event_id");
        requiredText(accountId, "account_id");
        required(occurredAt, "occurred_at");
        required(day, "day");
        required(trigger, "trigger");
        required(description, "description");
        required(source, "source");
        required(reading, "reading");
        required(readingAsOf, "reading_as_of");
        required(threshold, "threshold");
    }

    public static String eventIdFor(String accountId, LocalDate day) {
        return "deferral:" + accountId + ":" + day;
    }

    /**
     * In words: "VIX closed at 34.20 on 2026-12-02, above this portfolio's threshold of 30: drift band breached by …
     * — not rebalanced today".
     */
    public String explain() {
        return source.label() + " closed at " + reading.toPlainString() + " on " + readingAsOf
                + ", above this portfolio's threshold of " + threshold.stripTrailingZeros().toPlainString() + ": "
                + description + " — not rebalanced while it stays above";
    }

    @Override
    @JsonProperty(value = "event_type", access = JsonProperty.Access.READ_ONLY)
    public String eventType() {
        return TYPE;
    }
}
