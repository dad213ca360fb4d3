package dev.rebalancer.executor.runs;

import dev.rebalancer.runtime.Transactions;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.TradingHalt;
import dev.rebalancer.runtime.ConsumerRetry;
import dev.rebalancer.executor.config.ExecutorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The halt switch, as last heard on the control topic and kept in the database so every instance sees it before
 * every order it sends. It fails closed: trading is held while no state has been heard yet, while a control message
 * waits unapplied, and when nothing was heard for three announcement intervals (portfolio-service repeats the state,
 * so silence means this executor is cut off from it) — the last with an alert, one per silence whatever the number of
 * executors.
 */
@ApplicationScoped
public class TradingHaltState {

    /** The consumer channel of the control topic, whose messages set this switch. */
    public static final String CONTROL_CHANNEL = "control";

    private final Db db;
    private final ConsumerRetry consumers;
    private final Duration silenceLimit;
    private final AtomicBoolean silenceAlerted = new AtomicBoolean();

    @Inject
    TradingHaltState(Db db, ConsumerRetry consumers, ExecutorConfig config) {
        this(db, consumers, config.control().announceInterval());
    }

    TradingHaltState(Db db, ConsumerRetry consumers, Duration announceInterval) {
        this.db = db;
        this.consumers = consumers;
        this.silenceLimit = announceInterval.multipliedBy(3);
    }

    /** The switch as last heard: halted or not, and when it was heard. */
    public record Heard(boolean halted, Instant at) {

        /** Read from a row with {@code trading_halt}'s {@code halted} and {@code updated_at}; empty: never heard. */
        static Optional<Heard> of(java.sql.ResultSet row) throws SQLException {
            boolean halted = row.getBoolean("halted");
            return row.wasNull() ? Optional.empty() : Optional.of(new Heard(halted, Transactions.instant(row,
                    "updated_at")));
        }
    }

    /**
     * Halted as the database says; also while a control message waits unapplied (the database was away when it came:
     * it may be the halt), when no state was ever heard, and when the last was heard longer ago than three
     * announcement intervals.
     */
    public boolean halted() {
        if (consumers.stalls().containsKey(CONTROL_CHANNEL)) {
            return true;
        }
        return halted(db.oneStatement(c -> Transactions.one(c,
                "SELECT halted, updated_at FROM trading_halt WHERE id = 1", Heard::of)).flatMap(heard -> heard));
    }

    /**
     * {@link #halted()} judged from the switch as the caller read it (with what else it checks before an order, in
     * one statement); the alert that silence calls for is written in a transaction of its own.
     */
    public boolean halted(Optional<Heard> heard) {
        if (consumers.stalls().containsKey(CONTROL_CHANNEL)) {
            return true;
        }
        if (heard.isEmpty()) {
            return true;
        }
        Duration silence = Duration.between(heard.get().at(), Instant.now());
        if (silence.compareTo(silenceLimit) > 0) {
            if (silenceAlerted.compareAndSet(false, true)) {
                db.inTransaction(c -> {
                    // Every executor notices the same silence of the same switch: the one that marks it alerts.
                    int first = Transactions.update(c, "UPDATE trading_halt SET silence_alerted_at = ? WHERE id = 1 "
                            + "AND (silence_alerted_at IS NULL OR silence_alerted_at < updated_at)", Instant.now());
                    if (first == 1) {
                        RunStore.alert(c, null, null, Severity.CRITICAL, "Trading held: the halt switch is not heard",
                                "Nothing on the control topic for " + silence.toSeconds() + " s (portfolio-service"
                                        + " announces it every " + silenceLimit.dividedBy(3).toSeconds() + " s); no"
                                        + " order is sent until it is heard again.");
                    }
                    return null;
                });
            }
            return true;
        }
        silenceAlerted.set(false);
        return heard.get().halted();
    }

    /**
     * Records the control event, unless it is older than the state applied (its version lower: a stale "not halted"
     * never lifts a halt); a repeated announcement of the same state only notes that it was heard. An engaged halt
     * raises an alert (once per event); one that cancels open orders marks every run in progress to be canceled, and
     * the workers cancel their open orders at Alpaca. True when the switch flipped (or was first set).
     */
    public boolean apply(TradingHalt control) {
        return db.inTransaction(c -> {
            Optional<Boolean> was = Transactions.one(c, "SELECT halted FROM trading_halt WHERE id = 1 FOR UPDATE",
                    row -> row.getBoolean(1));
            int changed = Transactions.update(c, """
                    INSERT INTO trading_halt (id, halted, reason, event_id, version, updated_at)
                    VALUES (1, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET halted = EXCLUDED.halted, reason = EXCLUDED.reason,
                        event_id = EXCLUDED.event_id, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
                    WHERE trading_halt.event_id <> EXCLUDED.event_id
                      AND (EXCLUDED.version IS NULL OR trading_halt.version IS NULL
                           OR EXCLUDED.version >= trading_halt.version)""", control.halted(), control.reason(),
                    control.eventId(), control.version(), Instant.now());
            boolean flipped = changed == 1 && !was.equals(Optional.of(control.halted()));
            if (flipped && control.halted()) {
                RunStore.alert(c, null, null, Severity.CRITICAL, "Trading halted",
                        "No order is sent until trading is resumed: " + control.reason());
            }
            if (changed == 1 && control.cancelsOpenOrders()) {
                int runs = RunStore.requestCancelOfRunsInProgress(c, "trading halted, open orders canceled: "
                        + control.reason());
                RunStore.alert(c, null, null, Severity.CRITICAL, "Open orders canceled",
                        runs + " run(s) in progress canceled with their open orders at Alpaca: " + control.reason());
            }
            return flipped;
        });
    }
}
