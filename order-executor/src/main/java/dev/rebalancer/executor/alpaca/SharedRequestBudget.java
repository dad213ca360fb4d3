package dev.rebalancer.executor.alpaca;

import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.RequestBudget;
import dev.rebalancer.runtime.Transactions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * One Alpaca key's budget shared by every executor replica through their database: a sliding minute counted per
 * second in {@code alpaca_budget_seconds}, the key's row in {@code alpaca_budgets} locked while a request is counted,
 * and time taken from the database's clock, so replicas agree on both. The minute is counted over the last 61 seconds
 * (whole seconds, rounded outward), never fewer requests than Alpaca counts.
 *
 * <p>Ranked by purpose: orders and fill checks may use the whole part; a run's other reads all but a tenth of it (kept
 * for orders); background reads a quarter, so background work never holds a run back. A 429 or "none remain" pauses
 * every replica until Alpaca's reset. When the database cannot be asked, requests wait for it (up to
 * {@code unavailableAfter}) and then fail as Alpaca being unavailable: nothing is sent uncounted.
 */
public final class SharedRequestBudget implements RequestBudget {

    private static final Logger LOG = Logger.getLogger(SharedRequestBudget.class);
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(1);
    private static final Duration SHORTEST_WAIT = Duration.ofMillis(20);

    private final DataSource dataSource;
    private final String keyHash;
    private final int perMinute;
    private final Duration unavailableAfter;
    private final Sleeper sleeper;
    private volatile Instant pausedUntil = Instant.MIN;
    private volatile long lastSecond;

    public SharedRequestBudget(DataSource dataSource, String keyId, int perMinute, Duration unavailableAfter,
            Sleeper sleeper) {
        if (perMinute < 1) {
            throw new IllegalArgumentException("a budget needs at least one request a minute, got " + perMinute);
        }
        this.dataSource = dataSource;
        this.keyHash = hash(keyId);
        this.perMinute = perMinute;
        this.unavailableAfter = unavailableAfter;
        this.sleeper = sleeper;
    }

    /** The key as the table knows it: a hash, so that no key id is stored. */
    public static String hash(String keyId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(keyId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The most requests of this purpose the minute may hold. */
    int cap(Purpose purpose) {
        return switch (purpose) {
            case ORDER, FILL_CHECK -> perMinute;
            case READ -> Math.max(1, perMinute - Math.max(1, perMinute / 10));
            case BACKGROUND -> Math.max(1, perMinute / 4);
        };
    }

    @Override
    public void acquire(Purpose purpose) throws InterruptedException {
        long failingSince = 0;
        while (true) {
            Instant localPause = pausedUntil;
            Instant now = Instant.now();
            if (now.isBefore(localPause)) {
                sleeper.sleep(Duration.between(now, localPause));
                continue;
            }
            Duration wait;
            try {
                wait = Transactions.inTransaction(dataSource, c -> take(c, cap(purpose)));
                failingSince = 0;
            } catch (IllegalStateException e) {
                long nowNanos = System.nanoTime();
                if (failingSince == 0) {
                    failingSince = nowNanos;
                    LOG.warnf("the request budget's database cannot be asked (%s); requests wait for it", e.getMessage());
                } else if (nowNanos - failingSince > unavailableAfter.toNanos()) {
                    throw new AlpacaException.Unavailable("the request budget's database could not be asked for "
                            + unavailableAfter.toSeconds() + " s: " + e.getMessage(), e);
                }
                wait = Duration.ofMillis(200);
            }
            if (wait.isZero()) {
                return;
            }
            sleeper.sleep(wait);
        }
    }

    private record Key(Instant pausedUntil, double now) {
    }

    /** Counts one request and answers zero, or answers how long to wait before asking again. */
    private Duration take(Connection c, int cap) throws SQLException {
        Key key = Transactions.one(c, "SELECT paused_until, extract(epoch FROM clock_timestamp()) FROM alpaca_budgets"
                + " WHERE key_hash = ? FOR UPDATE", row -> new Key(Transactions.instant(row, "paused_until"),
                        row.getDouble(2)), keyHash).orElse(null);
        if (key == null) {
            Transactions.update(c, "INSERT INTO alpaca_budgets (key_hash) VALUES (?) ON CONFLICT DO NOTHING", keyHash);
            return take(c, cap);
        }
        double now = key.now();
        Instant nowInstant = Instant.ofEpochMilli((long) (now * 1000));
        if (key.pausedUntil() != null && key.pausedUntil().isAfter(nowInstant)) {
            return clamp(Duration.between(nowInstant, key.pausedUntil()));
        }
        long second = (long) Math.floor(now);
        // The window's count and, when it has room, this request counted, in one statement: it runs after the key's
        // row was locked above, so its snapshot holds every request counted before.
        long[] window = Transactions.one(c, """
                WITH w AS (SELECT coalesce(sum(used), 0) AS used, coalesce(min(second), 0) AS oldest
                           FROM alpaca_budget_seconds WHERE key_hash = ? AND second >= ?),
                     counted AS (INSERT INTO alpaca_budget_seconds (key_hash, second, used)
                                 SELECT ?, ?, 1 FROM w WHERE w.used < ?
                                 ON CONFLICT (key_hash, second) DO UPDATE SET used = alpaca_budget_seconds.used + 1
                                 RETURNING 1)
                SELECT w.used, w.oldest, (SELECT count(*) FROM counted) FROM w""",
                row -> new long[] {row.getLong(1), row.getLong(2), row.getLong(3)}, keyHash, second - 60, keyHash,
                second, cap).orElseThrow();
        if (window[2] == 0) {
            // The oldest second leaves the window 61 s after it began.
            return clamp(Duration.ofMillis(Math.round(((window[1] + 61) - now) * 1000)));
        }
        if (second != lastSecond) {
            lastSecond = second;
            Transactions.update(c, "DELETE FROM alpaca_budget_seconds WHERE key_hash = ? AND second < ?", keyHash,
                    second - 120);
        }
        return Duration.ZERO;
    }

    private static Duration clamp(Duration wait) {
        if (wait.compareTo(SHORTEST_WAIT) < 0) {
            return SHORTEST_WAIT;
        }
        return wait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait;
    }

    /** What all replicas together may still send on the key in the current minute (0 while Alpaca's pause lasts). */
    @Override
    public java.util.OptionalInt remaining() {
        try {
            return java.util.OptionalInt.of(Transactions.inTransaction(dataSource, c -> Transactions.one(c, """
                    SELECT CASE WHEN b.paused_until > clock_timestamp() THEN 0
                           ELSE greatest(0, ? - (SELECT coalesce(sum(used), 0) FROM alpaca_budget_seconds s
                                WHERE s.key_hash = ? AND s.second >= floor(extract(epoch FROM clock_timestamp())) - 60))
                           END
                    FROM (SELECT ?::text AS key_hash) k LEFT JOIN alpaca_budgets b ON b.key_hash = k.key_hash""",
                    row -> row.getInt(1), perMinute, keyHash, keyHash).orElse(perMinute)));
        } catch (IllegalStateException e) {
            return java.util.OptionalInt.empty();
        }
    }

    /** The key as metrics name it: the start of its hash. */
    public String label() {
        return keyHash.substring(0, 8);
    }

    @Override
    public void pauseUntil(Instant until) {
        if (until.isAfter(pausedUntil)) {
            pausedUntil = until;
        }
        try {
            Transactions.inTransaction(dataSource, c -> Transactions.update(c, "INSERT INTO alpaca_budgets"
                    + " (key_hash, paused_until) VALUES (?, ?) ON CONFLICT (key_hash) DO UPDATE SET paused_until ="
                    + " greatest(alpaca_budgets.paused_until, excluded.paused_until)", keyHash, until));
        } catch (IllegalStateException e) {
            LOG.warnf("Alpaca's pause until %s could not be shared with the other replicas (%s); this one waits",
                    until, e.getMessage());
        }
    }
}
