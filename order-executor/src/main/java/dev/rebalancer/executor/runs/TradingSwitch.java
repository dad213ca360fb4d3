package dev.rebalancer.executor.runs;

import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.TradingControl;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * The halt switch, as last heard on the control topic and kept in the database so every instance sees it before
 * every order it sends.
 */
@ApplicationScoped
public class TradingSwitch {

    private final Db db;

    TradingSwitch(Db db) {
        this.db = db;
    }

    public boolean halted() {
        return db.inTransaction(c -> Db.one(c, "SELECT halted FROM trading_control WHERE id = 1",
                row -> row.getBoolean(1)).orElse(false));
    }

    /**
     * Records the control event, unless it is older than the state applied (its version lower: a stale "not halted"
     * never lifts a halt); an engaged halt raises an alert (once per event). True when it changed anything.
     */
    public boolean apply(TradingControl control) {
        return db.inTransaction(c -> {
            boolean wasHalted = Db.one(c, "SELECT halted FROM trading_control WHERE id = 1 FOR UPDATE",
                    row -> row.getBoolean(1)).orElse(false);
            int changed = Db.update(c, """
                    INSERT INTO trading_control (id, halted, reason, event_id, version, updated_at)
                    VALUES (1, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET halted = EXCLUDED.halted, reason = EXCLUDED.reason,
                        event_id = EXCLUDED.event_id, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
                    WHERE trading_control.event_id <> EXCLUDED.event_id
                      AND (EXCLUDED.version IS NULL OR trading_control.version IS NULL
                           OR EXCLUDED.version >= trading_control.version)""", control.halted(), control.reason(),
                    control.eventId(), control.version(), Instant.now());
            if (changed == 1 && control.halted() && !wasHalted) {
                RunStore.alert(c, null, null, Severity.CRITICAL, "Trading halted",
                        "No order is sent until trading is resumed: " + control.reason());
            }
            return changed == 1;
        });
    }
}
