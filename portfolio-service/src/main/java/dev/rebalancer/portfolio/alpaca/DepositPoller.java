package dev.rebalancer.portfolio.alpaca;

import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.model.Activity;
import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.messaging.Outbox;
import dev.rebalancer.portfolio.persistence.AccountEntity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Turns every Alpaca cash activity ({@code CSD} deposits, {@code JNLC} cash journals) into exactly one cash deposit
 * event. Each poll reads from a stored cursor; the event, the record of the activity and the moved cursor commit
 * together, and an activity already recorded is skipped — so neither a restart nor two polls at once announce one
 * twice. Cash that arrived before the service managed the account is not new cash and is not announced.
 */
@ApplicationScoped
public class DepositPoller {

    static final List<String> CASH_ACTIVITIES = List.of("CSD", "JNLC");
    private static final Set<String> SETTLED = Set.of("executed", "correct");

    private final AlpacaAccounts accounts;
    private final AlpacaHealth health;
    private final Outbox outbox;
    private final EntityManager entityManager;

    DepositPoller(AlpacaAccounts accounts, AlpacaHealth health, Outbox outbox, EntityManager entityManager) {
        this.accounts = accounts;
        this.health = health;
        this.outbox = outbox;
        this.entityManager = entityManager;
    }

    @Scheduled(every = "${rebalancer.sync.deposits-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        for (AlpacaAccounts.Managed account : accounts.all()) {
            poll(account);
        }
    }

    public void poll(AlpacaAccounts.Managed account) {
        try {
            for (String type : CASH_ACTIVITIES) {
                String cursor = QuarkusTransaction.requiringNew().call(() -> cursor(account.accountId(), type));
                Instant since = cursor != null ? null : QuarkusTransaction.requiringNew()
                        .call(() -> AccountEntity.<AccountEntity>findById(account.accountId()).createdAt);
                List<Activity> activities = account.client().activitiesAfter(type, since, cursor);
                if (!activities.isEmpty()) {
                    QuarkusTransaction.requiringNew().run(() -> record(account.accountId(), type, activities));
                }
            }
            health.succeeded(account.name());
        } catch (AlpacaException e) {
            health.failed(account.name(), account.accountId(), e);
        }
    }

    private void record(String accountId, String type, List<Activity> activities) {
        for (Activity activity : activities) {
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
                .setParameter(1, accountId).setParameter(2, type)
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
