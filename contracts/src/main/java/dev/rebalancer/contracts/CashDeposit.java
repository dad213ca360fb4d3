package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredText;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * Cash that arrived in an account, one event per Alpaca activity ({@code CSD} deposit or {@code JNLC} cash journal).
 * The event id is Alpaca's activity id ({@code "<timestamp>::<uuid>"}), so a replayed activity is the same event.
 */
public record CashDeposit(
        String eventId,
        String accountId,
        Instant occurredAt,
        String activityType,
        BigDecimal amount,
        String currency) implements AccountEvent {

    public static final String TYPE = "cash_deposit";

    public CashDeposit {
        requiredText(eventId, "event_id");
        requiredText(accountId, "account_id");
        required(occurredAt, "occurred_at");
        requiredText(activityType, "activity_type");
        required(amount, "amount");
        requiredText(currency, "currency");
    }

    @Override
    @JsonProperty(value = "event_type", access = JsonProperty.Access.READ_ONLY)
    public String eventType() {
        return TYPE;
    }
}
