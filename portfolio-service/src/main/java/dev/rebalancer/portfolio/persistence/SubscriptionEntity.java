package dev.rebalancer.portfolio.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

@Entity
@Table(name = "subscription")
public class SubscriptionEntity extends PanacheEntityBase {

    @Id
    public UUID id;
    /** Counts the row's writes: a write based on an older read fails (optimistic locking). */
    @Version
    public long version;
    @Column(name = "account_id")
    public String accountId;
    @Column(name = "portfolio_id")
    public UUID portfolioId;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "last_rebalanced_at")
    public Instant lastRebalancedAt;
    /** Set when the subscription is deleted; deleted subscriptions stay for the history. */
    @Column(name = "deleted_at")
    public Instant deletedAt;

    public static Optional<SubscriptionEntity> activeFor(String accountId) {
        return find("accountId = ?1 and deletedAt is null", accountId).firstResultOptional();
    }

    public static List<SubscriptionEntity> activeOf(UUID portfolioId) {
        return list("portfolioId = ?1 and deletedAt is null", portfolioId);
    }
}
