package dev.rebalancer.portfolio.book;

import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.alpaca.SnapshotRequests;
import dev.rebalancer.portfolio.domain.InvalidInput;
import dev.rebalancer.portfolio.messaging.Outbox;
import dev.rebalancer.portfolio.persistence.AccountEntity;
import dev.rebalancer.portfolio.persistence.PortfolioEntity;
import dev.rebalancer.portfolio.persistence.SubscriptionEntity;
import dev.rebalancer.portfolio.domain.Refusal;
import dev.rebalancer.portfolio.domain.Paging;
import io.quarkus.panache.common.Sort;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Subscriptions: one active per account, only to active portfolios; each change announces the account's targets. */
@ApplicationScoped
public class SubscriptionBook {

    private final Outbox outbox;
    private final PortfolioBook portfolios;
    private final SnapshotRequests snapshots;

    SubscriptionBook(Outbox outbox, PortfolioBook portfolios, SnapshotRequests snapshots) {
        this.outbox = outbox;
        this.portfolios = portfolios;
        this.snapshots = snapshots;
    }

    @Transactional
    public Views.Subscription create(String accountId, UUID portfolioId) {
        AccountEntity account = AccountEntity.findById(accountId, LockModeType.PESSIMISTIC_WRITE);
        if (account == null) {
            throw new InvalidInput("account_id", "no managed account " + accountId);
        }
        PortfolioEntity portfolio = PortfolioEntity.findById(portfolioId);
        if (portfolio == null) {
            throw new InvalidInput("portfolio_id", "no portfolio " + portfolioId);
        }
        if (!"active".equals(portfolio.status)) {
            throw new InvalidInput("portfolio_id", "portfolio " + portfolioId + " is " + portfolio.status
                    + "; only active portfolios take subscriptions");
        }
        if (SubscriptionEntity.activeFor(accountId).isPresent()) {
            throw new InvalidInput("account_id", "account " + accountId
                    + " already has an active subscription; only one is permitted at a time");
        }
        SubscriptionEntity subscription = new SubscriptionEntity();
        subscription.id = UUID.randomUUID();
        subscription.accountId = accountId;
        subscription.portfolioId = portfolioId;
        subscription.createdAt = Clock.now();
        subscription.persist();
        portfolios.announceTargets(subscription, portfolio);
        snapshots.request(accountId);
        return view(subscription);
    }

    @Transactional
    public Views.Subscription get(UUID id) {
        return view(find(id));
    }

    /**
     * Stops the account's rebalancing: the targets topic gets a tombstone for it, and the runs the system queued for it
     * (drift, deposits, calendar) are canceled — a user about to withdraw wants none of them trading at the next open.
     * Manual runs stay.
     */
    @Transactional
    public void delete(UUID id) {
        SubscriptionEntity subscription = find(id);
        Instant now = Clock.now();
        subscription.deletedAt = now;
        outbox.tombstone(Topics.TARGETS, subscription.accountId);
        RunBook.cancelQueuedAutomatic(outbox, subscription.accountId, now, "the account was unsubscribed");
    }

    @Transactional
    public Views.Subscriptions list(String accountId, String portfolioId, String pageToken, String limit) {
        Paging paging = Paging.of(pageToken, limit);
        StringBuilder where = new StringBuilder("deletedAt is null");
        Map<String, Object> params = new HashMap<>();
        if (accountId != null) {
            where.append(" and accountId = :account");
            params.put("account", accountId);
        }
        if (portfolioId != null) {
            where.append(" and portfolioId = :portfolio");
            params.put("portfolio", uuid(portfolioId, "portfolio_id"));
        }
        PanacheQuery<SubscriptionEntity> query = SubscriptionEntity.find(where.toString(),
                Sort.by("createdAt").and("id"), params);
        long total = query.count();
        List<Views.Subscription> page = query.range(paging.offset(), paging.offset() + paging.limit() - 1).list()
                .stream().map(SubscriptionBook::view).toList();
        return new Views.Subscriptions(page, paging.next(page.size(), total));
    }

    /**
     * Records a completed rebalance on the account's subscription and tells the drift monitor (for the cooldown). The
     * subscription is version-checked when written: deleted meanwhile, this write fails rather than bring it back. The
     * portfolio's version is forced up at once, which fails if its weights changed since they were read and otherwise
     * holds the row until commit, so a weight change waits, finds the version moved, and is done again after this
     * announcement — never announced before the stale weights. The caller retries what fails.
     */
    void rebalanced(String accountId, Instant at) {
        SubscriptionEntity.activeFor(accountId).ifPresent(subscription -> {
            subscription.lastRebalancedAt = at;
            PortfolioEntity portfolio = PortfolioBook.find(subscription.portfolioId);
            PortfolioEntity.getEntityManager().lock(portfolio, LockModeType.PESSIMISTIC_FORCE_INCREMENT);
            portfolios.announceTargets(subscription, portfolio);
        });
    }

    private static SubscriptionEntity find(UUID id) {
        SubscriptionEntity subscription = SubscriptionEntity.findById(id);
        if (subscription == null || subscription.deletedAt != null) {
            throw Refusal.notFound("subscription not found: " + id);
        }
        return subscription;
    }

    static Views.Subscription view(SubscriptionEntity s) {
        return new Views.Subscription(s.id.toString(), s.accountId, s.portfolioId.toString(), s.createdAt,
                s.lastRebalancedAt);
    }

    static UUID uuid(String text, String field) {
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInput(field, "is not a UUID: \"" + text + "\"");
        }
    }
}
