package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredText;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A request to cancel a run ({@code DELETE /v1/rebalancing/runs/{id}}), on {@link Topics#REBALANCE_REQUESTS} beside
 * the requests that start runs, so that it is ordered after the run it cancels. Consumers tell the two apart by
 * {@code event_type}. The executor cancels open orders and ends the run {@code CANCELED} or {@code CANCELED_MID_RUN}.
 */
public record RunCancellation(String eventId, String accountId, Instant occurredAt, String runId, String reason)
        implements AccountEvent {

    public static final String TYPE = "run_cancellation";

    public RunCancellation {
        requiredText(eventId, "event_id");
        requiredText(accountId, "account_id");
        required(occurredAt, "occurred_at");
        requiredText(runId, "run_id");
    }

    @Override
    @JsonProperty(value = "event_type", access = JsonProperty.Access.READ_ONLY)
    public String eventType() {
        return TYPE;
    }
}
