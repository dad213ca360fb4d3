package dev.rebalancer.portfolio.alpaca;

import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.model.Activity;
import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.messaging.Outbox;
import dev.rebalancer.portfolio.persistence.AccountEntity;
import dev.rebalancer.portfolio.config.PortfolioConfig;
import io.quarkus.arc.Arc;
import io.quarkus.arc.ManagedContext;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Turns every Alpaca cash activity ({@code CSD} deposits, {@code JNLC} cash journals) into exactly one cash deposit
 * event. Each poll reads from a stored cursor; the event, the record of the activity and the moved cursor commit
 * together, and an activity already recorded is skipped — so neither a restart nor two polls at once announce one
 * twice. Cash that arrived before the service managed the account is not new cash and is not announced. Accounts are
 * polled side by side ({@code sync.parallel-accounts} at once), each at most once at a time, so one account whose
 * Alpaca is slow delays no other account's deposits.
 */
@ApplicationScoped
public class DepositPoller {

    private static final Logger LOG = Logger.getLogger(DepositPoller.class);
    static final List<String> CASH_ACTIVITIES = List.of("CSD", "JNLC");
    /**
     * The one cursor over both types, since both are read with one request (ids are {@code <timestamp>::<uuid>}, in
     * time order across types). Kept under this key in {@code sync_cursor}; an account without it is read from its
     * start again, and what was announced before is skipped.
     */
    static final String CURSOR = String.join(",", CASH_ACTIVITIES);
    private static final Set<String> SETTLED = Set.of("executed", "correct");

    private final AlpacaAccounts accounts;
    private final AlpacaHealth health;
    private final Outbox outbox;
    private final EntityManager entityManager;
    private final Duration interval;
    /**
     * Its own timer rather than {@code @Scheduled}: Quarkus's scheduler looks at its triggers once a second, so an
     * interval under a second (what makes a deposit invested within a second) would not be kept.
     */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "deposit-poller"));
    private final ExecutorService workers;
    /** The accounts being polled now; an account is not polled again until its poll has ended. */
    private final Set<String> polling = ConcurrentHashMap.newKeySet();

    DepositPoller(AlpacaAccounts accounts, AlpacaHealth health, Outbox outbox, EntityManager entityManager,
            PortfolioConfig config) {
        this.accounts = accounts;
        this.health = health;
        this.outbox = outbox;
        this.entityManager = entityManager;
        this.interval = config.sync().depositsInterval();
        if (config.sync().parallelAccounts() < 1) {
            throw new IllegalArgumentException("rebalancer.sync.parallel-accounts must be at least 1, not "
                    + config.sync().parallelAccounts());
        }
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(config.sync().parallelAccounts(),
                r -> new Thread(r, "deposit-poll-" + threads.incrementAndGet()));
    }

    void start(@Observes StartupEvent event) {
        timer.scheduleWithFixedDelay(this::pollAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        timer.shutdown();
        workers.shutdown();
        timer.awaitTermination(10, TimeUnit.SECONDS);
        if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
            workers.shutdownNow();
        }
    }

    /**
     * Every {@code deposits-interval}: a poll for each account not still being polled from an earlier round, on the
     * workers.
     */
    void pollAll() {
        for (AlpacaAccounts.Managed account : accounts.all()) {
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
        try {
            poll(account);
        } catch (RuntimeException e) {
            // Never let one bad poll end the worker; the next round tries again.
            LOG.warnf("deposit poll of account %s failed: %s", account.name(), e.getMessage());
        } finally {
            request.terminate();
        }
    }

    public void poll(AlpacaAccounts.Managed account) {
        try {
            String cursor = QuarkusTransaction.requiringNew().call(() -> cursor(account.accountId(), CURSOR));
            Instant since = cursor != null ? null : QuarkusTransaction.requiringNew()
                    .call(() -> AccountEntity.<AccountEntity>findById(account.accountId()).createdAt);
            List<Activity> activities = account.client().activitiesAfter(CASH_ACTIVITIES, since, cursor);
            if (!activities.isEmpty()) {
                QuarkusTransaction.requiringNew().run(() -> record(account.accountId(), activities));
            }
            health.succeeded(account.name());
        } catch (AlpacaException e) {
            health.failed(account.name(), account.accountId(), e);
        }
    }

    private void record(String accountId, List<Activity> activities) {
        for (Activity activity : activities) {
            String type = activity.activityType();
            if (activity.netAmount() == null || activity.netAmount().signum() <= 0
                    || (activity.status() != null && !SETTLED.contains(activity.status()))) {
                continue;
            }
            int fresh = entityManager.createNativeQuery("""
                    INSERT INTO seen_activity (activity_id, account_id, activity_type, amount, seen_at)
                    VALUES (?1, ?2, ?3, ?4, now()) ON CONFLICT DO NOTHING""")
                    .setParameter(1, activity.id()).setParameter(2, accountId).setParameter(3, type)
                    .setParameter(4, activity.netAmount()).executeUpdate();
            if (fresh == 1) {
                outbox.publish(Topics.CASH_DEPOSITS, new CashDeposit(activity.id(), accountId, occurredAt(activity),
                        type, activity.netAmount(), activity.currency() == null ? "USD" : activity.currency()));
            }
        }
        entityManager.createNativeQuery("""
                INSERT INTO sync_cursor (account_id, activity_type, last_activity_id) VALUES (?1, ?2, ?3)
                ON CONFLICT (account_id, activity_type) DO UPDATE SET last_activity_id = EXCLUDED.last_activity_id
                WHERE sync_cursor.last_activity_id < EXCLUDED.last_activity_id""")
                .setParameter(1, accountId).setParameter(2, CURSOR)
                .setParameter(3, activities.get(activities.size() - 1).id()).executeUpdate();
    }

    private String cursor(String accountId, String type) {
        List<?> rows = entityManager.createNativeQuery(
                "SELECT last_activity_id FROM sync_cursor WHERE account_id = ?1 AND activity_type = ?2")
                .setParameter(1, accountId).setParameter(2, type).getResultList();
        return rows.isEmpty() ? null : (String) rows.get(0);
    }

    private static Instant occurredAt(Activity activity) {
        if (activity.createdAt() != null) {
            return activity.createdAt();
        }
        if (activity.date() != null) {
            return activity.date().atStartOfDay(java.time.ZoneId.of("America/New_York")).toInstant();
        }
        return Instant.now();
    }
}
