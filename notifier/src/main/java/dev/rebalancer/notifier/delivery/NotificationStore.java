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
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Notifications as they arrive (once per event id), and the messages they become: one per notification, or one digest
 * per burst. Plain JDBC through runtime's {@link Transactions}; every method is one transaction.
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

    /** The oldest message not yet delivered; {@code photo}: a PNG to send with its text as the caption, or null. */
    public record Message(long id, String title, List<String> lines, int partsSent, boolean plainText, int attempts,
            Instant nextAttemptAt, byte[] photo) {
    }

    /** Stores the notification unless its event id is known; true when it is new. */
    public boolean add(Notification notification, Instant receivedAt) {
        return inTransaction(c -> Transactions.update(c, """
                INSERT INTO notifications (event_id, severity, account_id, run_id, title, lines, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING""", notification.eventId(),
                notification.severity().name(), notification.accountId(), notification.runId(), notification.title(),
                json(notification.lines()), receivedAt) == 1);
    }

    /** Work done by one instance at a time (a transaction-scoped advisory lock); empty when another has the lock. */
    public <T> Optional<T> exclusively(Work<T> work) {
        return inTransaction(c -> {
            boolean locked = Transactions.one(c, "SELECT pg_try_advisory_xact_lock(?)", row -> row.getBoolean(1),
                    SENDER_LOCK).orElse(false);
            return locked ? Optional.ofNullable(work.run(c)) : Optional.<T>empty();
        });
    }

    /** Notifications not yet in a message, oldest first. */
    public List<Pending> pending(Connection c) throws SQLException {
        return Transactions.query(c, """
                SELECT seq, event_id, severity, account_id, run_id, title, lines, received_at FROM notifications
                WHERE message_id IS NULL ORDER BY seq""", row -> new Pending(row.getLong("seq"),
                new Notification(row.getString("event_id"), Severity.valueOf(row.getString("severity")),
                        row.getString("account_id"), row.getString("run_id"), row.getString("title"),
                        lines(row.getString("lines"))), Transactions.instant(row, "received_at")));
    }

    /** A new message carrying the given notifications. */
    public void compose(Connection c, String title, List<String> lines, List<Pending> members, Instant now)
            throws SQLException {
        assign(c, members, message(c, title, lines, null, now));
    }

    /** A new message of no notification's (a reply, a report), with a PNG or not; its id. */
    public long message(Connection c, String title, List<String> lines, byte[] photo, Instant now)
            throws SQLException {
        return Transactions.one(c, """
                INSERT INTO messages (title, lines, photo, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?)
                RETURNING id""", row -> row.getLong(1), title, json(lines), photo, now, now).orElseThrow();
    }

    /** Notifications written to the log instead of sent. */
    public void logged(Connection c, List<Pending> members) throws SQLException {
        assign(c, members, LOGGED);
    }

    private static void assign(Connection c, List<Pending> members, long messageId) throws SQLException {
        Transactions.update(c, "UPDATE notifications SET message_id = ? WHERE seq = ANY (?)", messageId,
                c.createArrayOf("bigint", members.stream().map(Pending::seq).toArray()));
    }

    public Optional<Message> head(Connection c) throws SQLException {
        return Transactions.one(c, """
                SELECT id, title, lines, parts_sent, plain_text, attempts, next_attempt_at, photo FROM messages
                WHERE delivered_at IS NULL ORDER BY id LIMIT 1""", row -> new Message(row.getLong("id"),
                row.getString("title"), lines(row.getString("lines")), row.getInt("parts_sent"),
                row.getBoolean("plain_text"), row.getInt("attempts"), Transactions.instant(row, "next_attempt_at"),
                row.getBytes("photo")));
    }

    /** One more part delivered; the message is delivered with its last part. */
    public void partSent(Connection c, long id, int partsSent, boolean last, Instant now) throws SQLException {
        Transactions.update(c, """
                UPDATE messages SET parts_sent = ?, attempts = 0, last_error = NULL, delivered_at = ?::timestamptz
                WHERE id = ?""", partsSent, last ? now : null, id);
    }

    /** From now on the message goes as plain text: Telegram could not parse its MarkdownV2. */
    public void plainText(Connection c, long id, String error) throws SQLException {
        Transactions.update(c, "UPDATE messages SET plain_text = TRUE, last_error = ? WHERE id = ?", error, id);
    }

    public void retryAt(Connection c, long id, Instant at, int attempts, String error) throws SQLException {
        Transactions.update(c, "UPDATE messages SET next_attempt_at = ?, attempts = ?, last_error = ? WHERE id = ?", at,
                attempts, error, id);
    }

    /** Messages waiting for Telegram (for the gauge and the tests). */
    public long undelivered() {
        return inTransaction(c -> Transactions.one(c, "SELECT COUNT(*) FROM messages WHERE delivered_at IS NULL",
                row -> row.getLong(1)).orElse(0L));
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
