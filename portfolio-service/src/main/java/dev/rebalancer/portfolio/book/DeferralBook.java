package dev.rebalancer.portfolio.book;

import dev.rebalancer.contracts.RebalanceDeferred;
import dev.rebalancer.portfolio.domain.Refusal;
import dev.rebalancer.portfolio.persistence.AccountEntity;
import dev.rebalancer.portfolio.persistence.DeferralEntity;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;

/** The rebalances the volatility filter deferred, account by account. */
@ApplicationScoped
public class DeferralBook {

    /** The most {@code GET /v1/accounts/{id}/deferrals} lists: the latest. */
    static final int LISTED = 100;

    /** Records a deferral; one recorded before (the same event handed again) is left as it is. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(RebalanceDeferred deferred) {
        if (DeferralEntity.findById(deferred.eventId()) != null) {
            return;
        }
        DeferralEntity entity = new DeferralEntity();
        entity.eventId = deferred.eventId();
        entity.accountId = deferred.accountId();
        entity.day = deferred.day();
        entity.portfolioId = deferred.portfolioId();
        entity.trigger = deferred.trigger().name().toLowerCase(java.util.Locale.ROOT);
        entity.description = deferred.description();
        entity.source = deferred.source().key();
        entity.reading = deferred.reading();
        entity.readingAsOf = deferred.readingAsOf();
        entity.threshold = deferred.threshold();
        entity.occurredAt = deferred.occurredAt();
        entity.persist();
    }

    /** The account's latest deferrals, newest first; 404 for an account that is not managed. */
    @Transactional
    public List<Views.Deferral> of(String accountId) {
        if (AccountEntity.findById(accountId) == null) {
            throw Refusal.notFound("account not found: " + accountId);
        }
        return DeferralEntity.<DeferralEntity>find("accountId", Sort.descending("day"), accountId)
                .page(Page.ofSize(LISTED)).list().stream()
                .map(DeferralBook::event).map(Views.Deferral::new).toList();
    }

    private static RebalanceDeferred event(DeferralEntity d) {
        return new RebalanceDeferred(d.eventId, d.accountId, d.occurredAt, d.day, d.portfolioId,
                dev.rebalancer.contracts.Trigger.valueOf(d.trigger.toUpperCase(java.util.Locale.ROOT)), d.description,
                dev.rebalancer.contracts.VolatilityFilter.Source.ofKey(d.source).orElseThrow(), d.reading,
                d.readingAsOf, d.threshold);
    }
}
