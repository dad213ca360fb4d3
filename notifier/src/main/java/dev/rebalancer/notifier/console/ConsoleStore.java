package dev.rebalancer.notifier.console;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebalancer.notifier.console.Console.Confirmation;
import dev.rebalancer.notifier.console.Replies.Reply;
import dev.rebalancer.notifier.delivery.NotificationStore;
import dev.rebalancer.runtime.Transactions;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * The console's state in PostgreSQL: the next update to read, every update read with what became of it, the
 * confirmations /resume asks for, and the right to poll. Telegram answers a second poller with 409, so one notifier
 * instance at a time polls: the one holding a session-level advisory lock on a connection kept for it (a long poll
 * holds its call ~25 s, too long for a transaction). The lock goes with the connection: a crashed instance's is freed
 * by PostgreSQL, and the next instance takes over.
 */
@ApplicationScoped
public class ConsoleStore implements Console.Memory {

    private static final Logger LOG = Logger.getLogger(ConsoleStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long POLLER_LOCK = 0x636f6e736f6c65L; // "console"

    private final AgroalDataSource dataSource;
    private final NotificationStore messages;
    private Connection leader;

    ConsoleStore(AgroalDataSource dataSource, NotificationStore messages) {
        this.dataSource = dataSource;
        this.messages = messages;
    }

    /** Whether this instance is the one to poll: it holds the lock, or just took it. Only the poller calls it. */
    public synchronized boolean lead() {
        if (leader != null) {
            try {
                if (leader.isValid(5)) {
                    return true;
                }
            } catch (SQLException e) {
                // gone: so is the lock
            }
            LOG.warn("the connection holding the Telegram polling lock is gone; taking the lock again");
            closeQuietly(leader);
            leader = null;
        }
        Connection c = null;
        try {
            c = dataSource.getConnection();
            c.setAutoCommit(true);
            boolean locked = Transactions.one(c, "SELECT pg_try_advisory_lock(?)", row -> row.getBoolean(1),
                    POLLER_LOCK).orElse(false);
            if (locked) {
                LOG.info("this instance reads the commands from Telegram (it holds the polling lock)");
                leader = c;
                return true;
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("could not take the Telegram polling lock: %s", e.getMessage());
        }
        closeQuietly(c);
        return false;
    }

    /** Lets another instance poll: unlocks and gives the connection back. */
    public synchronized void resign() {
        if (leader != null) {
            try {
                Transactions.one(leader, "SELECT pg_advisory_unlock(?)", row -> row.getBoolean(1), POLLER_LOCK);
            } catch (SQLException | RuntimeException e) {
                LOG.debugf("unlock failed (the lock goes with the connection): %s", e.getMessage());
            }
            closeQuietly(leader);
            leader = null;
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // nothing to do
            }
        }
    }

    /** The first update not yet handled. */
    public long offset() {
        return Transactions.inTransaction(dataSource, c -> Transactions.one(c,
                "SELECT next_update_id FROM telegram_offset WHERE id = 1", row -> row.getLong(1)).orElse(0L));
    }

    /** An update read: where from, who, what was written. */
    public record Update(long updateId, String chatId, String userId, String text) {
    }

    /**
     * In one transaction: the update and its outcome recorded, its replies queued for the sender, a confirmation
     * asked or used, and the offset moved past it. An update recorded before (another round that committed) changes
     * nothing but the offset. True when this call recorded it.
     */
    public boolean handled(Update update, String outcome, List<Reply> replies, Confirmation asked,
            Long confirmationUsed) {
        return Transactions.inTransaction(dataSource, c -> {
            boolean fresh = Transactions.update(c, """
                    INSERT INTO console_updates (update_id, chat_id, user_id, text, outcome, handled_at)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING""", update.updateId(),
                    update.chatId(), update.userId(), update.text(), outcome, Instant.now()) == 1;
            if (fresh) {
                if (asked != null) {
                    Transactions.update(c, """
                            INSERT INTO console_confirmations (update_id, user_id, code, expires_at)
                            VALUES (?, ?, ?, ?) ON CONFLICT (update_id) DO NOTHING""", asked.updateId(),
                            asked.userId(), asked.code(), asked.expiresAt());
                }
                if (confirmationUsed != null) {
                    Transactions.update(c, "UPDATE console_confirmations SET confirmed_by = ? WHERE update_id = ?",
                            update.updateId(), confirmationUsed);
                }
                queue(c, replies);
            }
            Transactions.update(c, "UPDATE telegram_offset SET next_update_id = GREATEST(next_update_id, ?) WHERE id = 1",
                    update.updateId() + 1);
            return fresh;
        });
    }

    /** Replies queued for the sender, outside any update (portfolio-service away: the user is told). */
    public void tell(List<Reply> replies) {
        Transactions.inTransaction(dataSource, c -> {
            queue(c, replies);
            return null;
        });
    }

    /** Replies as messages for the sender, due now: the sender's clock, never a moved one. */
    void queue(Connection c, List<Reply> replies) throws SQLException {
        Instant now = Instant.now();
        for (Reply reply : replies) {
            messages.message(c, reply.title(), reply.lines(), reply.photo(), now);
        }
    }

    @Override
    public Optional<Confirmation> open(String userId, String code, Instant now, long confirmingUpdate) {
        return Transactions.inTransaction(dataSource, c -> Transactions.one(c, """
                SELECT update_id, user_id, code, expires_at FROM console_confirmations
                WHERE user_id = ? AND code = ? AND expires_at > ? AND (confirmed_by IS NULL OR confirmed_by = ?)
                ORDER BY update_id DESC LIMIT 1""", row -> new Confirmation(row.getLong("update_id"),
                row.getString("user_id"), row.getString("code"), Transactions.instant(row, "expires_at")),
                userId, code, now, confirmingUpdate));
    }

    /** Each account's allocation (weight → current percent) in the newest weekly report before {@code time}. */
    @Override
    public Map<String, Map<String, BigDecimal>> allocationsBefore(Instant time) {
        Optional<String> json = Transactions.inTransaction(dataSource, c -> Transactions.one(c, """
                SELECT allocations FROM weekly_reports WHERE scheduled_for < ? ORDER BY scheduled_for DESC LIMIT 1""",
                row -> row.getString(1), time));
        Map<String, Map<String, BigDecimal>> result = new TreeMap<>();
        json.ifPresent(text -> {
            try {
                JSON.readTree(text).fields().forEachRemaining(account -> {
                    Map<String, BigDecimal> weights = new TreeMap<>();
                    account.getValue().fields().forEachRemaining(w -> weights.put(w.getKey(),
                            new BigDecimal(w.getValue().asText())));
                    result.put(account.getKey(), weights);
                });
            } catch (JsonProcessingException e) {
                LOG.warnf("last week's allocations are unreadable (%s): drift is shown without them", e.getMessage());
            }
        });
        return result;
    }
}
