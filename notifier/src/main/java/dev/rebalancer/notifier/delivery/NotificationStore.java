package dev.rebalancer.notifier.delivery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.notifier.domain.Notification;
import dev.rebalancer.runtime.Transactions;
import dev.rebalancer.runtime.Transactions.Work;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Notifications as they arrive (once per event id), and the messages they become: one per notification, or one digest
 * per burst. Plain JDBC; every method is one transaction.
 */
@ApplicationScoped
public class NotificationStore {

    /** {@code message_id} of notifications that went to the log (no Telegram token configured). */
    static final long LOGGED = 0;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SENDER_LOCK = 0x6e6f7469666965L; // "notifie"

    private final AgroalDataSource dataSource;

    NotificationStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** A stored notification, waiting for its message. */
    public record Pending(long seq, Notification notification, Instant receivedAt) {
    }

    /** The oldest message not yet delivered. */
    public record Message(long id, String title, List<String> lines, int partsSent, boolean plainText, int attempts,
            Instant nextAttemptAt) {
    }

    /** Stores the notification unless its event id is known; true when it is new. */
    public boolean add(Notification notification, Instant receivedAt) {
        return inTransaction(c -> {
            try (PreparedStatement insert = c.prepareStatement("""
                    INSERT INTO notifications (event_id, severity, account_id, run_id, title, lines, received_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING""")) {
                insert.setString(1, notification.eventId());
                insert.setString(2, notification.severity().name());
                insert.setString(3, notification.accountId());
                insert.setString(4, notification.runId());
                insert.setString(5, notification.title());
                insert.setString(6, json(notification.lines()));
                insert.setTimestamp(7, Timestamp.from(receivedAt));
                return insert.executeUpdate() == 1;
            }
        });
    }

    /** Work done by one instance at a time (a transaction-scoped advisory lock); empty when another has the lock. */
    public <T> Optional<T> exclusively(Work<T> work) {
        return inTransaction(c -> {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
                lock.setLong(1, SENDER_LOCK);
                try (ResultSet locked = lock.executeQuery()) {
                    locked.next();
                    if (!locked.getBoolean(1)) {
                        return Optional.empty();
                    }
                }
            }
            return Optional.ofNullable(work.run(c));
        });
    }

    /** Notifications not yet in a message, oldest first. */
    public List<Pending> pending(Connection c) throws SQLException {
        List<Pending> pending = new ArrayList<>();
        try (PreparedStatement select = c.prepareStatement("""
                SELECT seq, event_id, severity, account_id, run_id, title, lines, received_at FROM notifications
                WHERE message_id IS NULL ORDER BY seq""");
                ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                pending.add(new Pending(rows.getLong("seq"), new Notification(rows.getString("event_id"),
                        Severity.valueOf(rows.getString("severity")), rows.getString("account_id"),
                        rows.getString("run_id"), rows.getString("title"), lines(rows.getString("lines"))),
                        rows.getTimestamp("received_at").toInstant()));
            }
        }
        return pending;
    }

    /** A new message carrying the given notifications. */
    public void compose(Connection c, String title, List<String> lines, List<Pending> members, Instant now)
            throws SQLException {
        long id;
        try (PreparedStatement insert = c.prepareStatement("""
                INSERT INTO messages (title, lines, next_attempt_at, created_at) VALUES (?, ?, ?, ?) RETURNING id""")) {
            insert.setString(1, title);
            insert.setString(2, json(lines));
            insert.setTimestamp(3, Timestamp.from(now));
            insert.setTimestamp(4, Timestamp.from(now));
            try (ResultSet key = insert.executeQuery()) {
                key.next();
                id = key.getLong(1);
            }
        }
        assign(c, members, id);
    }

    /** Notifications written to the log instead of sent. */
    public void logged(Connection c, List<Pending> members) throws SQLException {
        assign(c, members, LOGGED);
    }

    private static void assign(Connection c, List<Pending> members, long messageId) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("UPDATE notifications SET message_id = ? WHERE seq = ?")) {
            for (Pending member : members) {
                update.setLong(1, messageId);
                update.setLong(2, member.seq());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    public Optional<Message> head(Connection c) throws SQLException {
        try (PreparedStatement select = c.prepareStatement("""
                SELECT id, title, lines, parts_sent, plain_text, attempts, next_attempt_at FROM messages
                WHERE delivered_at IS NULL ORDER BY id LIMIT 1""");
                ResultSet row = select.executeQuery()) {
            if (!row.next()) {
                return Optional.empty();
            }
            return Optional.of(new Message(row.getLong("id"), row.getString("title"), lines(row.getString("lines")),
                    row.getInt("parts_sent"), row.getBoolean("plain_text"), row.getInt("attempts"),
                    row.getTimestamp("next_attempt_at").toInstant()));
        }
    }

    /** One more part delivered; the message is delivered with its last part. */
    public void partSent(Connection c, long id, int partsSent, boolean last, Instant now) throws SQLException {
        try (PreparedStatement update = c.prepareStatement("""
                UPDATE messages SET parts_sent = ?, attempts = 0, last_error = NULL, delivered_at = ? WHERE id = ?""")) {
            update.setInt(1, partsSent);
            update.setTimestamp(2, last ? Timestamp.from(now) : null);
            update.setLong(3, id);
            update.executeUpdate();
        }
    }

    /** From now on the message goes as plain text: Telegram could not parse its MarkdownV2. */
    public void plainText(Connection c, long id, String error) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE messages SET plain_text = TRUE, last_error = ? WHERE id = ?")) {
            update.setString(1, error);
            update.setLong(2, id);
            update.executeUpdate();
        }
    }

    public void retryAt(Connection c, long id, Instant at, int attempts, String error) throws SQLException {
        try (PreparedStatement update = c.prepareStatement(
                "UPDATE messages SET next_attempt_at = ?, attempts = ?, last_error = ? WHERE id = ?")) {
            update.setTimestamp(1, Timestamp.from(at));
            update.setInt(2, attempts);
            update.setString(3, error);
            update.setLong(4, id);
            update.executeUpdate();
        }
    }

    /** Messages waiting for Telegram (for the gauge and the tests). */
    public long undelivered() {
        return inTransaction(c -> {
            try (PreparedStatement count = c.prepareStatement(
                    "SELECT COUNT(*) FROM messages WHERE delivered_at IS NULL");
                    ResultSet row = count.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        });
    }

    private <T> T inTransaction(Work<T> work) {
        return Transactions.inTransaction(dataSource, work);
    }

    static String severityWord(Severity severity) {
        return severity.name().toLowerCase(Locale.ROOT);
    }

    private static String json(List<String> lines) {
        try {
            return JSON.writeValueAsString(lines);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> lines(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<String>>() { });
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable lines in the notifier's database: " + e.getMessage(), e);
        }
    }
}
