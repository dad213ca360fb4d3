package dev.rebalancer.portfolio.alpaca;

import dev.rebalancer.portfolio.persistence.NativeValues;
import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.model.Activity;
import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.messaging.Outbox;
import dev.rebalancer.portfolio.config.PortfolioConfig;
import dev.rebalancer.runtime.WorkerLoop;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Turns every Alpaca cash activity ({@code CSD} deposits, {@code JNLC} cash journals) into exactly one cash deposit
 * event. Each poll reads a window reaching {@code sync.deposits-lookback} back from the newest activity seen, so an
 * activity posted back-dated or at the same timestamp as one seen is not passed over; the event and the record of the
 * activity commit together, and an activity already recorded is skipped — so neither a restart nor two polls at once
 * announce one twice. One that Alpaca cancels or corrects after it was announced raises an alert. Cash that arrived before the service managed the account is not new cash and is not announced. Accounts are
 * polled side by side (one thread per account, up to 16 per core, or {@code sync.parallel-accounts}), each at most once at a time, so one account whose
 * Alpaca is slow delays no other account's deposits.
 */
@ApplicationScoped
public class DepositPoller {

    private static final Logger LOG = Logger.getLogger(DepositPoller.class);
    static final List<String> CASH_ACTIVITIES = List.of("CSD", "JNLC");
    /**
     * The one watermark over both types, since both are read with one request: the time of the newest activity seen,
     * kept under this key in {@code sync_cursor}; an account without it is read from when it came under management,
     * and what was announced before is skipped.
     */
    static final String CURSOR = String.join(",", CASH_ACTIVITIES);
    private static final Set<String> SETTLED = Set.of("executed", "correct");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    /** Counter: cash deposits seen at Alpaca and announced. */
    public static final String DEPOSITS_SEEN = "rebalancer.deposits.seen";
    /** Counter: polls of an account's cash activities, answered or not. */
    public static final String POLLS = "rebalancer.deposit.polls";

    private final io.micrometer.core.instrument.Counter deposits;
    private final io.micrometer.core.instrument.Counter polls;
    private final dev.rebalancer.runtime.Metrics metrics;
    private final AlpacaAccounts accounts;
    private final dev.rebalancer.portfolio.messaging.Instances instances;
    private final AlpacaHealth health;
    private final Outbox outbox;
    private final EntityManager entityManager;
    private final Duration interval;
    private final Duration lookback;
    /**
     * Its own loop rather than {@code @Scheduled}: Quarkus's scheduler looks at its triggers once a second, so an
     * interval under a second (what makes a deposit invested within a second) would not be kept.
     */
    private final WorkerLoop loop;
    private final ExecutorService workers;
    /**
     * Each account's window as this instance last read or moved it (its management time and watermark), so that a
     * poll needs no query for it; another instance moving the watermark meanwhile only makes this one read further
     * back, and what it already recorded is skipped.
     */
    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    /** Each account's last answer from Alpaca once recorded: activity id → status and amount. */
    private final Map<String, Map<String, Seen>> known = new ConcurrentHashMap<>();
    /** The accounts being polled now; an account is not polled again until its poll has ended. */
    private final Set<String> polling = ConcurrentHashMap.newKeySet();

    DepositPoller(AlpacaAccounts accounts, dev.rebalancer.portfolio.messaging.Instances instances, AlpacaHealth health,
            Outbox outbox, EntityManager entityManager, PortfolioConfig config, dev.rebalancer.runtime.Metrics metrics) {
        this.instances = instances;
        io.micrometer.core.instrument.MeterRegistry registry = metrics.registry();
        this.metrics = metrics;
        this.accounts = accounts;
        this.health = health;
        this.outbox = outbox;
        this.entityManager = entityManager;
        this.interval = config.sync().depositsInterval();
        this.lookback = config.sync().depositsLookback();
        this.loop = new WorkerLoop("deposit-poller", interval, this::pollAll);
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(config.sync().pollers(accounts.configured()),
                r -> new Thread(r, "deposit-poll-" + threads.incrementAndGet()));
        this.deposits = io.micrometer.core.instrument.Counter.builder(DEPOSITS_SEEN)
                .description("Cash deposits seen at Alpaca and announced, each once").register(registry);
        this.polls = io.micrometer.core.instrument.Counter.builder(POLLS)
                .description("Polls of an account's cash activities at Alpaca, answered or not").register(registry);
    }

    void start(@Observes StartupEvent event) {
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        loop.close();
        workers.shutdown();
        if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
            workers.shutdownNow();
        }
    }

    /**
     * Every {@code deposits-interval}: a poll for each account this instance owns and is not still polling from an
     * earlier round, on the workers.
     */
    void pollAll() {
        for (AlpacaAccounts.Managed account : accounts.all()) {
            if (!instances.owns(account.accountId())) {
                // Another instance's now: what this one remembers of it would be out of date if it came back.
                windows.remove(account.accountId());
                known.remove(account.accountId());
                continue;
            }
            if (!polling.add(account.accountId())) {
                continue;
            }
            try {
                workers.execute(() -> {
                    try {
                        pollInRequestContext(account);
                    } finally {
                        polling.remove(account.accountId());
                    }
                });
            } catch (RejectedExecutionException stopping) {
                polling.remove(account.accountId());
                return;
            }
        }
    }

    private void pollInRequestContext(AlpacaAccounts.Managed account) {
        ManagedContext request = Arc.container().requestContext();
        request.activate();
        try (var context = dev.rebalancer.runtime.LogContext.account(account.accountId())) {
            poll(account);
        } catch (RuntimeException e) {
            // Never let one bad poll end the worker; the next round tries again.
            LOG.warnf("deposit poll of account %s failed: %s", account.name(), e.getMessage());
        } finally {
            request.terminate();
        }
    }

    public void poll(AlpacaAccounts.Managed account) {
        polls.increment();
        try {
            String accountId = account.accountId();
            Window window = windows.computeIfAbsent(accountId,
                    id -> QuarkusTransaction.requiringNew().call(() -> window(id)));
            List<Activity> activities = account.client().activitiesAfter(CASH_ACTIVITIES, window.after(lookback),
                    null);
            Map<String, Seen> answer = asSeen(activities);
            Window after = window;
            if (!activities.isEmpty() && !nothingNew(accountId, window, activities, answer)) {
                after = window.movedTo(QuarkusTransaction.requiringNew().call(
                        () -> record(accountId, window, activities)));
            }
            // What this poll left recorded: the next poll with the same answer needs no transaction.
            windows.put(accountId, after);
            known.put(accountId, answer);
            health.succeeded(account.name());
        } catch (AlpacaException e) {
            health.failed(account.name(), account.accountId(), e);
        }
    }

    /**
     * True when the answer is the one the last poll of this instance recorded — the same activities, statuses and
     * amounts, and none newer than the watermark — so there is nothing to record or announce. Without it every poll
     * of an account with a deposit in its window would open a transaction; with it an idle poll touches no database.
     */
    private boolean nothingNew(String accountId, Window window, List<Activity> activities, Map<String, Seen> answer) {
        Map<String, Seen> before = known.get(accountId);
        return before != null && before.equals(answer) && window.watermark() != null
                && activities.stream().map(DepositPoller::occurredAt).noneMatch(at -> at.isAfter(window.watermark()));
    }

    private static Map<String, Seen> asSeen(List<Activity> activities) {
        Map<String, Seen> seen = new java.util.HashMap<>();
        for (Activity activity : activities) {
            seen.put(activity.id(), new Seen(statusOf(activity),
                    activity.netAmount() == null ? BigDecimal.ZERO : activity.netAmount().stripTrailingZeros()));
        }
        return seen;
    }

    /**
     * What one poll reads: from the newest activity seen (before the first, the time the account came under
     * management) less the lookback, and never before the day before the management day began in New York (Alpaca
     * may take {@code after} as a date).
     */
    record Window(Instant managedSince, Instant watermark) {

        /** The window after a poll whose newest activity was {@code newest}. */
        Window movedTo(Instant newest) {
            return watermark == null || newest.isAfter(watermark) ? new Window(managedSince, newest) : this;
        }

        Instant after(Duration lookback) {
            Instant floor = managedSince.atZone(NEW_YORK).toLocalDate().minusDays(1).atStartOfDay(NEW_YORK)
                    .toInstant();
            Instant from = (watermark == null ? managedSince : watermark).minus(lookback);
            return from.isBefore(floor) ? floor : from;
        }

        /**
         * Cash that came on a day before the account was managed is not new cash. The management day itself counts
         * whole: Alpaca stamps some cash activities with their day only (or its start), so a deposit made after the
         * account was added may carry an earlier time; cash that was there before is invested anyway, and a plan
         * never spends more than the account holds.
         */
        boolean managed(Activity activity) {
            LocalDate day = activity.createdAt() != null ? activity.createdAt().atZone(NEW_YORK).toLocalDate()
                    : activity.date();
            return day == null || !day.isBefore(managedSince.atZone(NEW_YORK).toLocalDate());
        }
    }

    /** The account's management time and watermark, in one query: this runs on every poll of every account. */
    private Window window(String accountId) {
        Object[] row = (Object[]) entityManager.createNativeQuery("""
                SELECT a.created_at, c.watermark FROM account a
                LEFT JOIN sync_cursor c ON c.account_id = a.account_id AND c.activity_type = ?2
                WHERE a.account_id = ?1""")
                .setParameter(1, accountId).setParameter(2, CURSOR).getSingleResult();
        return new Window(NativeValues.instant(row[0]), row[1] == null ? null : NativeValues.instant(row[1]));
    }

    private record Seen(String status, BigDecimal amount) {
    }

    /** Records and announces what is new in the answer; returns the time of its newest activity. */
    private Instant record(String accountId, Window window, List<Activity> activities) {
        Map<String, Seen> seen = seen(activities);
        Instant newest = null;
        for (Activity activity : activities) {
            Instant at = occurredAt(activity);
            newest = newest == null || at.isAfter(newest) ? at : newest;
            if (activity.netAmount() == null || activity.netAmount().signum() <= 0 || !window.managed(activity)) {
                continue;
            }
            String status = statusOf(activity);
            Seen before = seen.get(activity.id());
            if (before == null) {
                if (SETTLED.contains(status)) {
                    announce(accountId, activity, status, at);
                }
            } else if (!before.status().equals(status) || before.amount().compareTo(activity.netAmount()) != 0) {
                changed(accountId, activity, before, status);
            }
        }
        if (window.watermark() == null || newest.isAfter(window.watermark())) {
            entityManager.createNativeQuery("""
                    INSERT INTO sync_cursor (account_id, activity_type, last_activity_id, watermark)
                    VALUES (?1, ?2, ?3, ?4)
                    ON CONFLICT (account_id, activity_type) DO UPDATE SET last_activity_id = EXCLUDED.last_activity_id,
                        watermark = GREATEST(sync_cursor.watermark, EXCLUDED.watermark)""")
                    .setParameter(1, accountId).setParameter(2, CURSOR)
                    .setParameter(3, activities.get(activities.size() - 1).id()).setParameter(4, newest)
                    .executeUpdate();
        }
        return newest;
    }

    /** What was recorded of these activities, by id: one query for the whole window. */
    private Map<String, Seen> seen(List<Activity> activities) {
        Map<String, Seen> seen = new java.util.HashMap<>();
        List<?> rows = entityManager.createNativeQuery(
                "SELECT activity_id, status, amount FROM seen_activity WHERE activity_id = ANY (CAST(?1 AS text[]))")
                .setParameter(1, activities.stream().map(Activity::id).toArray(String[]::new)).getResultList();
        for (Object row : rows) {
            Object[] columns = (Object[]) row;
            seen.put((String) columns[0], new Seen((String) columns[1], (BigDecimal) columns[2]));
        }
        return seen;
    }

    /** A settled cash activity seen for the first time: recorded and announced, in one transaction. */
    private void announce(String accountId, Activity activity, String status, Instant at) {
        int fresh = entityManager.createNativeQuery("""
                INSERT INTO seen_activity (activity_id, account_id, activity_type, amount, seen_at, status)
                VALUES (?1, ?2, ?3, ?4, now(), ?5) ON CONFLICT DO NOTHING""")
                .setParameter(1, activity.id()).setParameter(2, accountId).setParameter(3, activity.activityType())
                .setParameter(4, activity.netAmount()).setParameter(5, status).executeUpdate();
        if (fresh == 1) {
            // Timed only from an activity time to the millisecond (an activity dated by its day only is not).
            Duration seen = activity.createdAt() == null ? null : Duration.between(activity.createdAt(), Instant.now());
            outbox.afterCommit(() -> {
                deposits.increment();
                if (seen != null) {
                    metrics.depositStage("seen", seen);
                }
            });
            outbox.publish(Topics.CASH_DEPOSITS, new CashDeposit(activity.id(), accountId, at,
                    activity.activityType(), activity.netAmount(),
                    activity.currency() == null ? "USD" : activity.currency()));
        }
    }

    /**
     * An activity already announced that Alpaca changed since: canceled (its cash may already be invested) or
     * corrected. Recorded, and the owner told; nothing is announced again.
     */
    private void changed(String accountId, Activity activity, Seen seen, String status) {
        int updated = entityManager.createNativeQuery("""
                UPDATE seen_activity SET status = ?1, amount = ?2
                WHERE activity_id = ?3 AND (status <> ?1 OR amount <> ?2)""")
                .setParameter(1, status).setParameter(2, activity.netAmount()).setParameter(3, activity.id())
                .executeUpdate();
        if (updated == 0) {
            return; // another poll recorded the change, and told
        }
        String what = activity.activityType() + " " + activity.id() + " of $" + seen.amount().toPlainString();
        if ("canceled".equals(status)) {
            LOG.warnf("account %s: %s canceled by Alpaca after it was announced", accountId, what);
            outbox.alert(Severity.CRITICAL, accountId, "Deposit canceled after it was invested",
                    what + " was canceled by Alpaca after it was announced; its cash may already be invested."
                            + " Check the account's cash and positions.");
        } else {
            outbox.alert(Severity.WARNING, accountId, "Deposit corrected by Alpaca",
                    what + " is now " + status + " at $" + activity.netAmount().toPlainString()
                            + "; nothing was invested again.");
        }
    }

    /** Alpaca's status of the activity; one without a status is executed. */
    private static String statusOf(Activity activity) {
        return activity.status() == null ? "executed" : activity.status();
    }

    private static Instant occurredAt(Activity activity) {
        if (activity.createdAt() != null) {
            return activity.createdAt();
        }
        if (activity.date() != null) {
            return activity.date().atStartOfDay(NEW_YORK).toInstant();
        }
        return Instant.now();
    }
}
