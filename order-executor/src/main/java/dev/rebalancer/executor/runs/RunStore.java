package dev.rebalancer.executor.runs;

import dev.rebalancer.runtime.Transactions;
import dev.rebalancer.runtime.Outbox;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunPhase;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.SkippedOrder;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.rules.planning.PlannedOrder;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Runs and their orders in PostgreSQL. Every change of a run's status or phase writes its {@code runs} event to the
 * outbox in the same transaction; alerts go the same way. Every write a worker makes checks its {@link Fence} in the
 * same transaction and throws {@link Fence.Lost}, writing nothing, when the run is no longer its own.
 */
@ApplicationScoped
public class RunStore {

    public static final String SOURCE = "order-executor";
    private static final String UNFINISHED = "('QUEUED', 'IN_PROGRESS')";
    /** A leg open at Alpaca, or possibly there: the condition of the partial index {@code run_orders_unsettled}. */
    private static final String UNSETTLED_LEG = "(lo.state = 'SENDING' OR (lo.state = 'SENT' AND (lo.status IS NULL "
            + "OR lo.status NOT IN ('filled', 'canceled', 'expired', 'rejected', 'replaced', 'done_for_day'))))";
    private static final TypeReference<List<SkippedOrder>> SKIPPED = new TypeReference<>() {
    };

    private final Db db;
    private final RunMetrics metrics;

    RunStore(Db db, RunMetrics metrics) {
        this.db = db;
        this.metrics = metrics;
    }

    public Db db() {
        return db;
    }

    // ---- arrival ------------------------------------------------------------------------------------------------

    /** Stores the request as a QUEUED run unless its request_id is known; true when it is new. */
    public boolean accept(RebalanceRequest request, boolean dryRun) {
        return db.inTransaction(c -> {
            Instant now = Instant.now();
            int inserted = Transactions.update(c, """
                    INSERT INTO runs (run_id, request_id, account_id, request, status, dry_run, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 'QUEUED', ?, ?, ?) ON CONFLICT DO NOTHING""", request.runId(),
                    request.requestId(), request.accountId(), EventJson.write(request), dryRun, now, now);
            if (inserted == 1) {
                announce(c, request.runId());
            }
            return inserted == 1;
        });
    }

    /**
     * Corrects a queued run's dry-run flag to its account's setting, once Alpaca has said whose keys are whose. Not a
     * state change of its own: the run's next event carries it.
     */
    public void dryRun(Fence fence, boolean dryRun) {
        db.inTransaction(c -> {
            hold(c, fence);
            return Transactions.update(c, "UPDATE runs SET dry_run = ?, updated_at = ? WHERE run_id = ? AND status = 'QUEUED'",
                    dryRun, Instant.now(), fence.runId());
        });
    }

    /**
     * Asks for a run to be canceled: a queued run nobody drives ends CANCELED at once; one being driven is canceled
     * by its driver. False when the run is unknown or already final.
     */
    public boolean requestCancel(String runId, String reason) {
        return db.inTransaction(c -> {
            int marked = Transactions.update(c, "UPDATE runs SET cancel_requested = TRUE, reason = COALESCE(?::text, reason), updated_at = ? "
                    + "WHERE run_id = ? AND status IN " + UNFINISHED, reason, Instant.now(), runId);
            if (marked == 0) {
                return false;
            }
            Instant now = Instant.now();
            int canceled = Transactions.update(c, "UPDATE runs SET status = 'CANCELED', completed_at = ?, canceled_at = ?::timestamptz, "
                    + "updated_at = ? WHERE run_id = ? AND status = 'QUEUED' AND (lease_until IS NULL OR lease_until < ?)",
                    now, now, now, runId, now);
            if (canceled == 1) {
                announce(c, runId);
            }
            return true;
        });
    }

    /**
     * Marks every run in progress to be canceled, in the caller's transaction (a halt that cancels open orders): the
     * workers cancel their open orders at Alpaca and end them. Returns how many.
     */
    static int requestCancelOfRunsInProgress(Connection c, String reason) throws SQLException {
        return Transactions.update(c, "UPDATE runs SET cancel_requested = TRUE, reason = ?, updated_at = ? "
                + "WHERE status = 'IN_PROGRESS' AND NOT cancel_requested", reason, Instant.now());
    }

    // ---- leases -------------------------------------------------------------------------------------------------

    /** A run {@link #claim} took: held under the fence, of the account. */
    public record Claim(Fence fence, String accountId) {
    }

    /**
     * Takes the first runnable run: unfinished, not leased (or its lease lapsed), not waiting, of an account not busy
     * here, with no earlier unfinished run of its account and no order an earlier run left open at Alpaca. Reads the
     * unfinished runs and the candidate's account's runs only (runs_unfinished_seq, runs_account_seq), never the whole
     * history. Parameters: owner, lease until, now, now, cancels only, busy accounts.
     */
    static final String CLAIM = """
            UPDATE runs SET lease_owner = ?, lease_until = ?, lease_generation = lease_generation + 1
            WHERE run_id = (
                SELECT r.run_id FROM runs r
                WHERE r.status IN ('QUEUED', 'IN_PROGRESS')
                  AND (r.lease_until IS NULL OR r.lease_until < ?)
                  AND (r.not_before IS NULL OR r.not_before <= ? OR r.cancel_requested)
                  AND (r.cancel_requested OR NOT ?)
                  AND NOT (r.account_id = ANY (?))
                  AND NOT EXISTS (SELECT 1 FROM runs o WHERE o.account_id = r.account_id
                                  AND o.status IN ('QUEUED', 'IN_PROGRESS') AND o.seq < r.seq)
                  AND NOT EXISTS (SELECT 1 FROM runs o JOIN run_orders lo ON lo.run_id = o.run_id
                                  WHERE o.account_id = r.account_id AND o.seq < r.seq AND """ + UNSETTLED_LEG + """
                                  )
                ORDER BY r.seq LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING run_id, account_id, lease_generation""";

    /** With {@code cancelsOnly} (trading halted), only a run that is to be canceled. */
    public Optional<Claim> claim(String owner, Duration lease, Collection<String> busyAccounts, boolean cancelsOnly) {
        return db.oneStatement(c -> {
            Instant now = Instant.now();
            return Transactions.one(c, CLAIM, row -> new Claim(new Fence(row.getString(1), owner,
                            row.getLong(3)), row.getString(2)), owner, now.plus(lease), now, now, cancelsOnly,
                    c.createArrayOf("text", busyAccounts.toArray()));
        });
    }

    /** Extends the lease, and notes the worker's sign of life; false when the run is no longer held under the fence. */
    public boolean renew(Fence fence, Duration lease) {
        Instant now = Instant.now();
        return db.oneStatement(c -> Transactions.update(c, "UPDATE runs SET lease_until = ?, active_at = ? WHERE run_id = ? "
                + "AND lease_owner = ? AND lease_generation = ?", now.plus(lease), now, fence.runId(), fence.owner(),
                fence.generation()) == 1);
    }

    /** Lets the run go, to be taken again when {@code notBefore} (null: at once) has come. */
    public void release(Fence fence, Instant notBefore) {
        db.oneStatement(c -> Transactions.update(c, "UPDATE runs SET lease_owner = NULL, lease_until = NULL, not_before = ?::timestamptz "
                + "WHERE run_id = ? AND lease_owner = ? AND lease_generation = ?", notBefore, fence.runId(),
                fence.owner(), fence.generation()));
    }

    /**
     * The run failed (not for want of Alpaca, which is waited out): counted, and let go until {@code notBefore}. Its
     * first failure since it last made progress starts the clock that {@code rebalancer.runs.give-up-after} bounds.
     */
    public void failed(Fence fence, Instant notBefore, String error) {
        db.inTransaction(c -> Transactions.update(c, "UPDATE runs SET failing_since = COALESCE(failing_since, ?), failures = failures + 1, "
                + "last_error = ?, lease_owner = NULL, lease_until = NULL, not_before = ? WHERE run_id = ? "
                + "AND lease_owner = ? AND lease_generation = ?", Instant.now(), error, notBefore, fence.runId(),
                fence.owner(), fence.generation()));
    }

    /**
     * The run's row while its lease is this worker's, locked: the fence every write of a worker checks ({@link #hold},
     * {@link #fencedLegWrite}). Parameters: run id, owner, generation.
     */
    private static final String HELD_RUN =
            "FROM runs WHERE run_id = ? AND lease_owner = ? AND lease_generation = ? FOR UPDATE";

    /** Locks the run while its lease is this worker's, and answers its status; {@link Fence.Lost} otherwise. */
    private static RunStatus hold(Connection c, Fence fence) throws SQLException {
        return Transactions.one(c, "SELECT status " + HELD_RUN,
                row -> RunStatus.valueOf(row.getString(1)), fence.runId(), fence.owner(), fence.generation())
                .orElseThrow(() -> new Fence.Lost(fence));
    }

    // ---- reading ------------------------------------------------------------------------------------------------

    public Optional<Run> run(String runId) {
        return db.oneStatement(c -> run(c, runId));
    }

    public List<Leg> legs(String runId) {
        return db.oneStatement(c -> legs(c, runId));
    }

    public List<Run> runsOf(String accountId) {
        return db.inTransaction(c -> Transactions.query(c, "SELECT * FROM runs WHERE account_id = ? ORDER BY seq",
                RunStore::run, accountId));
    }

    /** What may stop a run before its next order: a cancel request, and the halt switch as last heard (if ever). */
    record Interruptions(boolean cancelRequested, Optional<TradingHaltState.Heard> heard) {
    }

    /** The run's {@link Interruptions}, read in one statement. */
    Interruptions interruptions(String runId) {
        return db.oneStatement(c -> Transactions.one(c, "SELECT r.cancel_requested, h.halted, h.updated_at"
                + " FROM runs r LEFT JOIN trading_halt h ON h.id = 1 WHERE r.run_id = ?",
                row -> new Interruptions(row.getBoolean("cancel_requested"), TradingHaltState.Heard.of(row)), runId))
                .orElseThrow();
    }

    private static Optional<Run> run(Connection c, String runId) throws SQLException {
        return Transactions.one(c, "SELECT * FROM runs WHERE run_id = ?", RunStore::run, runId);
    }

    private static List<Leg> legs(Connection c, String runId) throws SQLException {
        return Transactions.query(c, "SELECT * FROM run_orders WHERE run_id = ? ORDER BY phase DESC, position", RunStore::leg,
                runId);
    }

    // ---- changes ------------------------------------------------------------------------------------------------

    /**
     * Starts a phase with its planned orders (and what was skipped), planned in the market session that closes at
     * {@code sessionClose}, announcing the run.
     */
    public void startPhase(Fence fence, RunPhase phase, List<PlannedOrder> orders, List<SkippedOrder> skipped,
            boolean dryRun, Instant sessionClose, BigDecimal buysReserve) {
        RunEvent started = db.inTransaction(c -> {
            RunStatus before = hold(c, fence);
            String runId = fence.runId();
            Instant now = Instant.now();
            addLegs(c, runId, phase, orders, dryRun);
            addSkipped(c, runId, skipped);
            Transactions.update(c, "UPDATE runs SET status = 'IN_PROGRESS', phase = ?, phase_started_at = ?, session_close = ?::timestamptz, "
                    + "not_before = NULL, active_at = ?, failing_since = NULL, failures = 0, updated_at = ?, "
                    + "buys_reserve = LEAST(?, buys_reserve) WHERE run_id = ?", phase.name(), now, sessionClose, now, now,
                    buysReserve, runId);
            RunEvent event = announce(c, runId);
            return before == RunStatus.QUEUED ? event : null; // started now
        });
        if (started != null) {
            metrics.started(started);
        }
    }

    /**
     * Plans the phase's unsent orders anew: the legs never sent are dropped, and the new plan's orders are added for
     * every symbol the phase has not sent an order for already (those are only watched). Announces the run.
     */
    public void replan(Fence fence, RunPhase phase, List<PlannedOrder> orders, List<SkippedOrder> skipped,
            Instant sessionClose, BigDecimal buysReserve) {
        db.inTransaction(c -> {
            hold(c, fence);
            String runId = fence.runId();
            Instant now = Instant.now();
            Transactions.update(c, "DELETE FROM run_orders WHERE run_id = ? AND phase = ? AND state = 'PLANNED'", runId, phase.name());
            addLegs(c, runId, phase, orders, false);
            addSkipped(c, runId, skipped);
            Transactions.update(c, "UPDATE runs SET session_close = ?::timestamptz, active_at = ?, updated_at = ?, "
                    + "buys_reserve = LEAST(?, buys_reserve) WHERE run_id = ?", sessionClose, now, now, buysReserve, runId);
            announce(c, runId);
            return null;
        });
    }

    private static void addLegs(Connection c, String runId, RunPhase phase, List<PlannedOrder> orders, boolean dryRun)
            throws SQLException {
        int position = Transactions.one(c, "SELECT COALESCE(MAX(position) + 1, 0) FROM run_orders WHERE run_id = ? AND phase = ?",
                row -> row.getInt(1), runId, phase.name()).orElse(0);
        for (PlannedOrder order : orders) {
            Transactions.update(c, """
                    INSERT INTO run_orders (client_order_id, run_id, phase, position, symbol, side, qty, notional, state)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""",
                    Leg.clientOrderId(runId, phase, order.symbol()), runId, phase.name(), position++, order.symbol(),
                    order.side().name(), order.qty(), order.notional(),
                    (dryRun ? Leg.State.DRY_RUN : Leg.State.PLANNED).name());
        }
    }

    /** Adds skipped orders to the run's, each (symbol, side, reason) once. */
    private static void addSkipped(Connection c, String runId, List<SkippedOrder> skipped) throws SQLException {
        if (skipped.isEmpty()) {
            return;
        }
        Run run = run(c, runId).orElseThrow();
        List<SkippedOrder> all = new ArrayList<>(run.skipped());
        for (SkippedOrder skip : skipped) {
            if (all.stream().noneMatch(s -> s.symbol().equals(skip.symbol()) && s.side() == skip.side()
                    && s.reason().equals(skip.reason()))) {
                all.add(skip);
            }
        }
        Transactions.update(c, "UPDATE runs SET skipped = ? WHERE run_id = ?", EventJson.write(all), runId);
    }

    /** Ends the run with a final status; alerts for the statuses that need a person. */
    public void finish(Fence fence, RunStatus status, String reason) {
        finish(fence, status, reason, List.of());
    }

    /**
     * Ends the run with a final status though some of its orders are still open at Alpaca (their cancels unconfirmed):
     * an alert names them, and the account's next run is not claimed until they have ended.
     */
    public void finish(Fence fence, RunStatus status, String reason, List<Leg> stillOpen) {
        finish(fence, c -> status, reason, stillOpen);
    }

    /**
     * Ends the run COMPLETED_SUCCESS, or COMPLETED_ADJUSTED when an order was skipped or did not fill, as its orders
     * say in the same transaction.
     */
    public void complete(Fence fence) {
        complete(fence, null, null);
    }

    /**
     * The run completed, with the words that say what it did and, for a harvest, the loss it realised (null for any
     * other run), written with its status.
     */
    public void complete(Fence fence, String reason, BigDecimal harvestedLoss) {
        finish(fence, c -> {
            if (harvestedLoss != null) {
                Transactions.update(c, "UPDATE runs SET harvested_loss = ? WHERE run_id = ?", harvestedLoss,
                        fence.runId());
            }
            boolean adjusted = !run(c, fence.runId()).orElseThrow().skipped().isEmpty()
                    || legs(c, fence.runId()).stream().anyMatch(leg -> !leg.filled());
            return adjusted ? RunStatus.COMPLETED_ADJUSTED : RunStatus.COMPLETED_SUCCESS;
        }, reason, List.of());
    }

    private void finish(Fence fence, Transactions.Work<RunStatus> decided, String reason, List<Leg> stillOpen) {
        RunEvent finished = db.inTransaction(c -> {
            hold(c, fence);
            RunStatus status = decided.run(c);
            String runId = fence.runId();
            Instant now = Instant.now();
            boolean canceled = status == RunStatus.CANCELED || status == RunStatus.CANCELED_MID_RUN;
            Transactions.update(c, "UPDATE runs SET status = ?, reason = COALESCE(?::text, reason), completed_at = ?, canceled_at = ?::timestamptz, "
                    + "lease_owner = NULL, lease_until = NULL, updated_at = ? WHERE run_id = ?", status.name(), reason,
                    now, canceled ? now : null, now, runId);
            RunEvent event = announce(c, runId);
            switch (status) {
                case ERROR, TIMEOUT -> alert(c, event.accountId(), runId, Severity.CRITICAL,
                        "Run " + status.name() + " (" + event.type().name().toLowerCase() + ")",
                        reason == null ? "the run ended " + status.name() : reason);
                case COMPLETED_ADJUSTED -> alert(c, event.accountId(), runId, Severity.WARNING,
                        "Run completed with adjustments", adjustments(event));
                default -> {
                }
            }
            if (!stillOpen.isEmpty()) {
                alert(c, event.accountId(), runId, Severity.CRITICAL, "Orders still open at Alpaca after the run ended",
                        "Canceled, but Alpaca has not confirmed it; the account's next run waits until they have "
                                + "ended:\n" + String.join("\n", stillOpen.stream().map(leg -> leg.side().name()
                                .toLowerCase() + " " + leg.symbol() + " (" + leg.clientOrderId() + ", "
                                + (leg.status() == null ? "answer lost" : leg.status()) + ")").toList()));
            }
            return event;
        });
        metrics.finished(finished);
    }

    // ---- orders left open by ended runs ---------------------------------------------------------------------------

    /** Accounts some ended run of which left an order open at Alpaca (or of unknown fate), but those in {@code busy}. */
    public List<String> accountsWithLeftovers(Collection<String> busy, int limit) {
        return db.oneStatement(c -> Transactions.query(c, "SELECT DISTINCT o.account_id FROM runs o JOIN run_orders lo ON "
                + "lo.run_id = o.run_id WHERE o.status NOT IN " + UNFINISHED + " AND " + UNSETTLED_LEG
                + " AND NOT (o.account_id = ANY (?)) LIMIT ?", row -> row.getString(1),
                c.createArrayOf("text", busy.toArray()), limit));
    }

    /** The account's orders that ended runs left open at Alpaca, or of unknown fate. */
    public List<Leg> leftovers(String accountId) {
        return db.inTransaction(c -> Transactions.query(c, "SELECT lo.* FROM runs o JOIN run_orders lo ON lo.run_id = o.run_id "
                + "WHERE o.account_id = ? AND o.status NOT IN " + UNFINISHED + " AND " + UNSETTLED_LEG
                + " ORDER BY o.seq, lo.position", RunStore::leg, accountId));
    }

    /**
     * What Alpaca now says of an order an ended run left open ({@code null}: it has no such order, the POST never
     * reached it). The run is final, so no lease guards it; only the order's own row changes.
     */
    public void settleLeftover(String clientOrderId, dev.rebalancer.alpaca.model.Order order) {
        db.inTransaction(c -> {
            if (order == null) {
                return Transactions.update(c, "UPDATE run_orders SET state = 'PLANNED' WHERE client_order_id = ? AND state = 'SENDING'",
                        clientOrderId);
            }
            return sent(c, clientOrderId, order);
        });
    }

    /** The order is about to be sent: from now on its fate is looked up before anything else is done with it. */
    public void sending(Fence fence, String clientOrderId) {
        fencedLegWrite(fence, "UPDATE run_orders SET state = 'SENDING' WHERE client_order_id = ?", clientOrderId);
    }

    /** Alpaca has the order; its latest known state. */
    public void sent(Fence fence, String clientOrderId, dev.rebalancer.alpaca.model.Order order) {
        fencedLegWrite(fence, SENT, sentArguments(clientOrderId, order));
    }

    /**
     * A write of one of the run's orders (a statement ending in its {@code WHERE} condition), in a single statement
     * that also locks the run while its lease is this worker's, as {@link #hold} does; {@link Fence.Lost}, nothing
     * written, otherwise.
     */
    private void fencedLegWrite(Fence fence, String update, Object... arguments) {
        Object[] all = java.util.Arrays.copyOf(arguments, arguments.length + 3);
        all[arguments.length] = fence.runId();
        all[arguments.length + 1] = fence.owner();
        all[arguments.length + 2] = fence.generation();
        int written = db.oneStatement(c -> Transactions.update(c, update + " AND run_id = (SELECT run_id " + HELD_RUN + ")",
                all));
        if (written == 0) {
            throw new Fence.Lost(fence);
        }
    }

    private static final String SENT = """
            UPDATE run_orders SET state = 'SENT', alpaca_id = ?, status = ?, filled_qty = ?, filled_avg_price = ?,
                   submitted_at = COALESCE(submitted_at, ?), filled_at = ?, asset_id = ?, created_at = ?,
                   updated_at = ?, expired_at = ?, canceled_at = ?, failed_at = ?, expires_at = ?
            WHERE client_order_id = ?""";

    private static Object[] sentArguments(String clientOrderId, dev.rebalancer.alpaca.model.Order order) {
        return new Object[] {order.id(), order.status(), order.filledQty(), order.filledAvgPrice(),
                order.submittedAt() != null ? order.submittedAt() : order.createdAt(), order.filledAt(), order.assetId(),
                order.createdAt(), order.updatedAt(), order.expiredAt(), order.canceledAt(), order.failedAt(),
                order.expiresAt(), clientOrderId};
    }

    private static int sent(Connection c, String clientOrderId, dev.rebalancer.alpaca.model.Order order)
            throws SQLException {
        return Transactions.update(c, SENT, sentArguments(clientOrderId, order));
    }

    /**
     * Alpaca refused the order: recorded with its message, when it was refused and the asset's id (from the asset
     * catalogue: Alpaca made no order object), and an alert.
     */
    public void rejected(Fence fence, Leg leg, String accountId, String message, String assetId) {
        db.inTransaction(c -> {
            hold(c, fence);
            Transactions.update(c, """
                    UPDATE run_orders SET state = 'REJECTED', reason = ?, asset_id = ?, failed_at = now()
                    WHERE client_order_id = ?""", message, assetId, leg.clientOrderId());
            alert(c, accountId, leg.runId(), Severity.WARNING, "Order rejected: " + leg.side().name().toLowerCase()
                    + " " + leg.symbol(), message);
            return null;
        });
    }

    /** Back to PLANNED: Alpaca has no order under this id, so sending it again cannot duplicate anything. */
    public void notSent(Fence fence, String clientOrderId) {
        fencedLegWrite(fence, "UPDATE run_orders SET state = 'PLANNED' WHERE client_order_id = ?", clientOrderId);
    }

    public void alert(String accountId, String runId, Severity severity, String title, String detail) {
        db.inTransaction(c -> {
            alert(c, accountId, runId, severity, title, detail);
            return null;
        });
    }

    // ---- events -------------------------------------------------------------------------------------------------

    private static RunEvent announce(Connection c, String runId) throws SQLException {
        Run run = run(c, runId).orElseThrow();
        RunEvent event = event(run, legs(c, runId));
        Outbox.add(c, Topics.RUNS, run.accountId(), EventJson.write(event));
        return event;
    }

    public static void alert(Connection c, String accountId, String runId, Severity severity, String title, String detail)
            throws SQLException {
        Outbox.add(c, Topics.ALERTS, accountId == null ? "" : accountId, EventJson.write(new Alert(
                UUID.randomUUID().toString(), accountId, Instant.now(), severity, title, detail, runId, SOURCE)));
    }

    /** Why an order a dry run planned is among the skipped: it is no Alpaca order, so it has no order status. */
    public static final String DRY_RUN = RunEvent.DRY_RUN_SKIP;

    /**
     * The run as Alpaca shapes it: orders sent, failed orders (with Alpaca's message), skipped orders — among them
     * what a dry run planned and did not send (the run's {@code dry_run} says why).
     */
    public static RunEvent event(Run run, List<Leg> legs) {
        RebalanceRequest request = run.request();
        List<RunOrder> orders = new ArrayList<>();
        List<RunOrder> failed = new ArrayList<>();
        List<SkippedOrder> skipped = new ArrayList<>(run.skipped());
        for (Leg leg : legs) {
            if (leg.state() == Leg.State.PLANNED || leg.state() == Leg.State.SENDING) {
                continue;
            }
            if (leg.state() == Leg.State.DRY_RUN) {
                skipped.add(new SkippedOrder(leg.symbol(), leg.side(), leg.notional(), "USD", DRY_RUN,
                        "planned and not sent: the account is in dry run"
                                + (leg.qty() != null ? " (" + leg.qty().toPlainString() + " shares)" : "")));
                continue;
            }
            Leg.Alpaca alpaca = leg.alpaca();
            RunOrder order = new RunOrder(leg.alpacaId(), leg.clientOrderId(), leg.symbol(), leg.side(), leg.qty(),
                    leg.notional(), leg.filledQty(), leg.filledAvgPrice(), statusOf(leg), leg.submittedAt(),
                    leg.filledAt(), leg.reason(), alpaca.assetId(), alpaca.createdAt(), alpaca.updatedAt(),
                    alpaca.expiredAt(), alpaca.canceledAt(), alpaca.failedAt(), alpaca.expiresAt());
            boolean failedOrder = leg.state() == Leg.State.REJECTED
                    || (leg.settled() && leg.state() == Leg.State.SENT && !leg.filled());
            (failedOrder ? failed : orders).add(order);
        }
        Instant now = Instant.now();
        return new RunEvent(UUID.randomUUID().toString(), run.accountId(), now, run.runId(), request.requestId(),
                request.portfolioId(), request.type(), request.amount(), request.initiatedFrom(), request.trigger(),
                run.status(), run.status() == RunStatus.IN_PROGRESS ? run.phase() : null, run.reason(), run.dryRun(),
                request.weights(), orders, failed, skipped, run.createdAt(), run.updatedAt(), run.completedAt(),
                run.canceledAt(), turnover(orders, failed), estimatedCost(request, orders, failed), run.harvestedLoss());
    }

    /** The dollars the run's orders filled for, bought and sold (a partly filled failed order counts its fills). */
    static BigDecimal turnover(List<RunOrder> orders, List<RunOrder> failed) {
        return java.util.stream.Stream.concat(orders.stream(), failed.stream()).map(RunStore::filledValue)
                .reduce(BigDecimal.ZERO, BigDecimal::add).setScale(2, java.math.RoundingMode.HALF_EVEN);
    }

    /** What the filled trades cost, each by the portfolio's trade costs (their defaults where it has none). */
    static BigDecimal estimatedCost(RebalanceRequest request, List<RunOrder> orders, List<RunOrder> failed) {
        dev.rebalancer.contracts.TradeCosts costs = java.util.Objects.requireNonNullElseGet(
                request.strategies().tradeCosts(), dev.rebalancer.contracts.TradeCosts::defaults);
        return java.util.stream.Stream.concat(orders.stream(), failed.stream()).map(RunStore::filledValue)
                .filter(value -> value.signum() > 0).map(value -> costs.estimatedCost(null, value))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static BigDecimal filledValue(RunOrder order) {
        return order.filledQty() == null || order.filledAvgPrice() == null ? BigDecimal.ZERO
                : order.filledQty().multiply(order.filledAvgPrice());
    }

    private static String statusOf(Leg leg) {
        return switch (leg.state()) {
            case REJECTED -> "rejected";
            default -> leg.status() == null ? "pending_new" : leg.status();
        };
    }

    private static String adjustments(RunEvent event) {
        List<String> lines = new ArrayList<>();
        event.failedOrders().forEach(o -> lines.add(o.side().name().toLowerCase() + " " + o.symbol() + " failed: "
                + (o.reason() != null ? o.reason() : o.status())));
        event.skippedOrders().forEach(s -> lines.add(s.side().name().toLowerCase() + " " + s.symbol() + " skipped: "
                + s.reasonDetails()));
        return String.join("\n", lines);
    }

    // ---- rows ---------------------------------------------------------------------------------------------------

    private static Run run(ResultSet row) throws SQLException {
        String phase = row.getString("phase");
        return new Run(row.getString("run_id"), EventJson.read(row.getString("request"), RebalanceRequest.class),
                RunStatus.valueOf(row.getString("status")), phase == null ? null : RunPhase.valueOf(phase),
                row.getString("reason"), row.getBoolean("dry_run"), readSkipped(row.getString("skipped")),
                row.getBoolean("cancel_requested"), Transactions.instant(row, "phase_started_at"), Transactions.instant(row, "active_at"),
                Transactions.instant(row, "session_close"), Transactions.instant(row, "failing_since"), row.getInt("failures"),
                row.getString("last_error"),
                Transactions.instant(row, "created_at"),
                Transactions.instant(row, "updated_at"), Transactions.instant(row, "completed_at"), Transactions.instant(row, "canceled_at"),
                row.getBigDecimal("harvested_loss"));
    }

    private static List<SkippedOrder> readSkipped(String json) {
        try {
            return EventJson.mapper().readValue(json, SKIPPED);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("unreadable skipped orders: " + e.getMessage(), e);
        }
    }

    private static Leg leg(ResultSet row) throws SQLException {
        return new Leg(row.getString("client_order_id"), row.getString("run_id"),
                RunPhase.valueOf(row.getString("phase")), row.getInt("position"), row.getString("symbol"),
                OrderSide.valueOf(row.getString("side")), scaled(row.getBigDecimal("qty")),
                money(row.getBigDecimal("notional")), Leg.State.valueOf(row.getString("state")),
                row.getString("alpaca_id"), row.getString("status"), scaled(row.getBigDecimal("filled_qty")),
                scaled(row.getBigDecimal("filled_avg_price")), row.getString("reason"),
                Transactions.instant(row, "submitted_at"), Transactions.instant(row, "filled_at"), new Leg.Alpaca(row.getString("asset_id"),
                        Transactions.instant(row, "created_at"), Transactions.instant(row, "updated_at"), Transactions.instant(row, "expired_at"),
                        Transactions.instant(row, "canceled_at"), Transactions.instant(row, "failed_at"), Transactions.instant(row, "expires_at")));
    }

    private static java.math.BigDecimal money(java.math.BigDecimal value) {
        return value == null ? null : value.setScale(2, java.math.RoundingMode.UNNECESSARY);
    }

    private static java.math.BigDecimal scaled(java.math.BigDecimal value) {
        return value == null ? null : value.stripTrailingZeros().scale() < 0 ? value.setScale(0) : value.stripTrailingZeros();
    }
}
