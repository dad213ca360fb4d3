package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredList;
import static dev.rebalancer.contracts.Fields.requiredText;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A request to run a rebalance, on {@link Topics#REBALANCE_REQUESTS}. {@code request_id} is deterministic — the same
 * trigger always gives the same id (e.g. {@code deposit:<activity id>}) — and the executor creates at most one run per
 * request id. {@code amount} is required for invest_cash and partial_liquidation. The portfolio's drift bands
 * ({@code rebalance_conditions}) and opt-in {@code strategies} come with it for the planner.
 */
public record RebalanceRequest(
        String eventId,
        String accountId,
        Instant occurredAt,
        String requestId,
        String runId,
        RunType type,
        BigDecimal amount,
        Trigger trigger,
        Evidence evidence,
        String portfolioId,
        List<Weight> weights,
        InitiatedFrom initiatedFrom,
        List<RebalanceCondition> rebalanceConditions,
        Strategies strategies) implements AccountEvent {

    public static final String TYPE = "rebalance_request";

    public RebalanceRequest {
        requiredText(eventId, "event_id");
        requiredText(accountId, "account_id");
        required(occurredAt, "occurred_at");
        requiredText(requestId, "request_id");
        requiredText(runId, "run_id");
        required(type, "type");
        if (type.hasAmount()) {
            required(amount, "amount");
        }
        required(trigger, "trigger");
        required(evidence, "evidence");
        weights = requiredList(weights, "weights");
        required(initiatedFrom, "initiated_from");
        rebalanceConditions = Fields.listOrEmpty(rebalanceConditions, "rebalance_conditions");
        strategies = Strategies.orNone(strategies);
    }

    /** A request that carries no drift bands and no strategies (a manual run on weights of its own). */
    public RebalanceRequest(String eventId, String accountId, Instant occurredAt, String requestId, String runId,
            RunType type, BigDecimal amount, Trigger trigger, Evidence evidence, String portfolioId,
            List<Weight> weights, InitiatedFrom initiatedFrom) {
        this(eventId, accountId, occurredAt, requestId, runId, type, amount, trigger, evidence, portfolioId, weights,
                initiatedFrom, List.of(), Strategies.NONE);
    }

    private static final String DEPOSIT = "deposit:";

    /** The id of the invest_cash request a cash deposit makes: {@code deposit:<activity id>}. */
    public static String depositRequestId(String activityId) {
        return DEPOSIT + activityId;
    }

    /** The activity id of the deposit a request id names, if it names one. */
    public static java.util.Optional<String> depositOf(String requestId) {
        return requestId != null && requestId.startsWith(DEPOSIT)
                ? java.util.Optional.of(requestId.substring(DEPOSIT.length())) : java.util.Optional.empty();
    }

    /** The run id that belongs to a request id: the same request always names the same run. */
    public static String runIdFor(String requestId) {
        return UUID.nameUUIDFromBytes(("run:" + requestId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Override
    @JsonProperty(value = "event_type", access = JsonProperty.Access.READ_ONLY)
    public String eventType() {
        return TYPE;
    }
}
