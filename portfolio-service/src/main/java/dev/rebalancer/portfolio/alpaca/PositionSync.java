package dev.rebalancer.portfolio.alpaca;

import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.model.Account;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.Position;
import dev.rebalancer.contracts.PositionSnapshot;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.messaging.Outbox;
import dev.rebalancer.portfolio.persistence.AccountEntity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Publishes each account's state at Alpaca as a position snapshot: periodically while the market is open, and at
 * once when asked (an account was subscribed, a run ended).
 */
@ApplicationScoped
public class PositionSync {

    private final AlpacaAccounts accounts;
    private final dev.rebalancer.portfolio.messaging.Instances instances;
    private final SnapshotRequests requests;
    private final AlpacaHealth health;
    private final Outbox outbox;

    PositionSync(AlpacaAccounts accounts, dev.rebalancer.portfolio.messaging.Instances instances,
            SnapshotRequests requests, AlpacaHealth health, Outbox outbox) {
        this.instances = instances;
        this.accounts = accounts;
        this.requests = requests;
        this.health = health;
        this.outbox = outbox;
    }

    @Scheduled(every = "${rebalancer.sync.positions-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void periodic() {
        for (AlpacaAccounts.Managed account : accounts.all()) {
            if (!instances.owns(account.accountId())) {
                continue; // another instance's
            }
            try {
                if (account.client().clock().isOpen()) {
                    snapshot(account);
                }
            } catch (AlpacaException e) {
                health.failed(account.name(), account.accountId(), e);
            }
        }
    }

    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void requested() {
        for (String accountId : requests.drain()) {
            accounts.byAccountId(accountId).ifPresent(account -> {
                try {
                    snapshot(account);
                } catch (AlpacaException e) {
                    requests.request(accountId);
                    health.failed(account.name(), accountId, e);
                }
            });
        }
    }

    /** Reads the account and its positions from Alpaca and publishes them; the stored copy changes with the event. */
    public void snapshot(AlpacaAccounts.Managed account) {
        Account alpaca = account.client().account();
        List<Position> positions = account.client().positions().stream()
                .map(p -> new Position(p.symbol(), p.qty(), p.currentPrice(), p.marketValue(), p.costBasis()))
                .toList();
        PositionSnapshot snapshot = new PositionSnapshot(UUID.randomUUID().toString(), account.accountId(),
                Instant.now(), alpaca.equity(), alpaca.cash(), alpaca.buyingPower(), positions);
        QuarkusTransaction.requiringNew().run(() -> {
            AccountEntity entity = AccountEntity.findById(account.accountId());
            entity.snapshot = EventJson.write(snapshot);
            entity.snapshotAt = snapshot.occurredAt();
            outbox.publish(Topics.POSITIONS, snapshot);
        });
        health.succeeded(account.name());
    }
}
