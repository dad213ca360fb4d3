package dev.rebalancer.executor.runs;

import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.RunPhase;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Set;

/**
 * One order of a run, recorded before it is sent. {@link State}: PLANNED (not sent), SENDING (a POST may have reached
 * Alpaca: look it up before anything else), SENT (Alpaca has it; {@code status} is its order status), REJECTED (Alpaca
 * said no, {@code reason} says why), DRY_RUN (planned only).
 */
public record Leg(
        String clientOrderId,
        String runId,
        RunPhase phase,
        int position,
        String symbol,
        OrderSide side,
        BigDecimal qty,
        BigDecimal notional,
        State state,
        String alpacaId,
        String status,
        BigDecimal filledQty,
        BigDecimal filledAvgPrice,
        String reason,
        Instant submittedAt,
        Instant filledAt,
        Alpaca alpaca) {

    /**
     * The rest of what Alpaca said of the order, for the run's Alpaca order objects: the asset's id and Alpaca's
     * times; for an order refused at the POST, {@code failedAt} is when it was refused.
     */
    public record Alpaca(String assetId, Instant createdAt, Instant updatedAt, Instant expiredAt, Instant canceledAt,
            Instant failedAt, Instant expiresAt) {
    }

    public enum State { PLANNED, SENDING, SENT, REJECTED, DRY_RUN }

    /** Alpaca's order statuses after which nothing changes. */
    public static final Set<String> FINAL_STATUSES = Set.of("filled", "canceled", "expired", "rejected", "replaced",
            "done_for_day");

    /**
     * The deterministic client order id: the run, the phase and the symbol, so a resent order is recognised by Alpaca
     * (a duplicate client_order_id is refused) and by us.
     */
    public static String clientOrderId(String runId, RunPhase phase, String symbol) {
        return "rb-" + runId + "-" + (phase == RunPhase.SELLS ? "s" : "b") + "-" + symbol;
    }

    /** Nothing more will happen to it: rejected, or Alpaca's status is final. */
    public boolean settled() {
        return state == State.REJECTED || state == State.DRY_RUN
                || (state == State.SENT && status != null && FINAL_STATUSES.contains(status));
    }

    public boolean filled() {
        return state == State.SENT && "filled".equals(status);
    }

    /** Sent, and not known to have reached a final status. */
    public boolean open() {
        return state == State.SENT && !settled();
    }

    /** Open at Alpaca, or possibly there (a POST whose answer was lost): it may still fill. */
    public boolean atAlpacaUnsettled() {
        return open() || state == State.SENDING;
    }
}
