package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.listOrEmpty;
import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredList;
import static dev.rebalancer.contracts.Fields.requiredText;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A run as Alpaca shapes it, published on {@link Topics#RUNS} at every change of its state. {@code phase} is set while
 * the run is {@code IN_PROGRESS}; {@code reason} explains a failed run; {@code dry_run} runs record their plan and send
 * nothing. Beside Alpaca's shape: {@code turnover}, the dollars its orders filled for (bought and sold), and
 * {@code estimated_cost}, what those trades cost by the portfolio's trade costs (their defaults where it has none);
 * {@code harvested_loss}, the loss a tax_loss_harvest realised, first in, first out.
 */
public record RunEvent(
        String eventId,
        String accountId,
        Instant occurredAt,
        String runId,
        String requestId,
        String portfolioId,
        RunType type,
        BigDecimal amount,
        InitiatedFrom initiatedFrom,
        Trigger trigger,
        RunStatus status,
        RunPhase phase,
        String reason,
        boolean dryRun,
        List<Weight> weights,
        List<RunOrder> orders,
        List<RunOrder> failedOrders,
        List<SkippedOrder> skippedOrders,
        Instant createdAt,
        Instant updatedAt,
        Instant completedAt,
        Instant canceledAt,
        BigDecimal turnover,
        BigDecimal estimatedCost,
        BigDecimal harvestedLoss) implements AccountEvent {

    public static final String TYPE = "run";

    public RunEvent {
        requiredText(eventId, "event_id");
        requiredText(accountId, "account_id");
        required(occurredAt, "occurred_at");
        requiredText(runId, "run_id");
        requiredText(requestId, "request_id");
        required(type, "type");
        required(initiatedFrom, "initiated_from");
        required(status, "status");
        weights = requiredList(weights, "weights");
        orders = listOrEmpty(orders, "orders");
        failedOrders = listOrEmpty(failedOrders, "failed_orders");
        skippedOrders = listOrEmpty(skippedOrders, "skipped_orders");
        required(createdAt, "created_at");
        required(updatedAt, "updated_at");
    }

    /** A run whose turnover and estimated cost are not told (they are null). */
    public RunEvent(String eventId, String accountId, Instant occurredAt, String runId, String requestId,
            String portfolioId, RunType type, BigDecimal amount, InitiatedFrom initiatedFrom, Trigger trigger,
            RunStatus status, RunPhase phase, String reason, boolean dryRun, List<Weight> weights, List<RunOrder> orders,
            List<RunOrder> failedOrders, List<SkippedOrder> skippedOrders, Instant createdAt, Instant updatedAt,
            Instant completedAt, Instant canceledAt) {
        this(eventId, accountId, occurredAt, runId, requestId, portfolioId, type, amount, initiatedFrom, trigger, status,
                phase, reason, dryRun, weights, orders, failedOrders, skippedOrders, createdAt, updatedAt, completedAt,
                canceledAt, null, null, null);
    }

    /** A run that realised no harvested loss (any run but a tax_loss_harvest). */
    public RunEvent(String eventId, String accountId, Instant occurredAt, String runId, String requestId,
            String portfolioId, RunType type, BigDecimal amount, InitiatedFrom initiatedFrom, Trigger trigger,
            RunStatus status, RunPhase phase, String reason, boolean dryRun, List<Weight> weights, List<RunOrder> orders,
            List<RunOrder> failedOrders, List<SkippedOrder> skippedOrders, Instant createdAt, Instant updatedAt,
            Instant completedAt, Instant canceledAt, BigDecimal turnover, BigDecimal estimatedCost) {
        this(eventId, accountId, occurredAt, runId, requestId, portfolioId, type, amount, initiatedFrom, trigger, status,
                phase, reason, dryRun, weights, orders, failedOrders, skippedOrders, createdAt, updatedAt, completedAt,
                canceledAt, turnover, estimatedCost, null);
    }

    /** When Alpaca accepted the run's first order ({@code submitted_at}), if it sent any. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public java.util.Optional<Instant> firstOrderSubmittedAt() {
        return orders.stream().map(RunOrder::submittedAt).filter(java.util.Objects::nonNull).min(Instant::compareTo);
    }

    @Override
    @JsonProperty(value = "event_type", access = JsonProperty.Access.READ_ONLY)
    public String eventType() {
        return TYPE;
    }

    /**
     * Whether the run restarts its subscription's cooldown: a completed {@code full_rebalance} that sent orders (a dry
     * run's, that would have sent them). Alpaca's {@code invest_cash} runs regardless of the cooldown and restarts
     * nothing; neither does a rebalance that found nothing to trade.
     */
    public boolean startsCooldown() {
        boolean traded = !orders.isEmpty()
                || dryRun && skippedOrders.stream().anyMatch(o -> DRY_RUN_SKIP.equals(o.reason()));
        return type == RunType.FULL_REBALANCE && traded
                && (status == RunStatus.COMPLETED_SUCCESS || status == RunStatus.COMPLETED_ADJUSTED);
    }

    /** The reason of a skipped order that a dry run planned and did not send. */
    public static final String DRY_RUN_SKIP = "DRY_RUN";
}
