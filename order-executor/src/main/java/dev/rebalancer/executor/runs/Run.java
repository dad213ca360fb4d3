package dev.rebalancer.executor.runs;

import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunPhase;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.SkippedOrder;
import java.time.Instant;
import java.util.List;

/** A run as the database keeps it. */
public record Run(
        String runId,
        RebalanceRequest request,
        RunStatus status,
        RunPhase phase,
        String reason,
        boolean dryRun,
        List<SkippedOrder> skipped,
        boolean cancelRequested,
        Instant phaseStartedAt,
        /** The last sign of life of a worker driving it. */
        Instant activeAt,
        /** The close of the market session its current phase was planned in. */
        Instant sessionClose,
        /** Since when it has been failing without progress (null: it is not). */
        Instant failingSince,
        /** How often it failed since then. */
        int failures,
        /** What went wrong the last time it failed. */
        String lastError,
        Instant createdAt,
        Instant updatedAt,
        Instant completedAt,
        Instant canceledAt,
        /** A harvest's realised loss, once it completed (null for any other run). */
        java.math.BigDecimal harvestedLoss) {

    public String accountId() {
        return request.accountId();
    }
}
