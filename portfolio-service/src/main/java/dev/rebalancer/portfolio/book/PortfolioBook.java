package dev.rebalancer.portfolio.book;

import dev.rebalancer.contracts.PortfolioStatus;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.contracts.WeightType;
import dev.rebalancer.portfolio.alpaca.AssetCatalog;
import dev.rebalancer.portfolio.domain.PortfolioDraft;
import dev.rebalancer.portfolio.domain.PortfolioPatch;
import dev.rebalancer.portfolio.messaging.Outbox;
import dev.rebalancer.portfolio.persistence.PortfolioEntity;
import dev.rebalancer.portfolio.persistence.SubscriptionEntity;
import dev.rebalancer.portfolio.domain.Refusal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/** Portfolios: created, changed and archived as Alpaca rules it; a change is announced to every subscriber. */
@ApplicationScoped
public class PortfolioBook {

    private final AssetCatalog assets;
    private final Outbox outbox;

    PortfolioBook(AssetCatalog assets, Outbox outbox) {
        this.assets = assets;
        this.outbox = outbox;
    }

    @Transactional
    public Views.Portfolio create(PortfolioDraft draft) {
        assets.requireUsable(draft.weights());
        requireBandForEdge(draft);
        PortfolioEntity portfolio = new PortfolioEntity();
        portfolio.id = UUID.randomUUID();
        portfolio.status = "active";
        portfolio.createdAt = Clock.now();
        apply(portfolio, draft);
        portfolio.persist();
        return view(portfolio);
    }

    @Transactional
    public Views.Portfolio update(UUID id, PortfolioPatch patch) {
        PortfolioEntity portfolio = find(id);
        PortfolioDraft current = draftOf(portfolio);
        PortfolioDraft changed = patch.applyTo(current);
        assets.requireUsable(changed.weights());
        requireBandForEdge(changed);
        boolean targetsChanged = !changed.weights().equals(current.weights())
                || !changed.rebalanceConditions().equals(current.rebalanceConditions())
                || changed.cooldownDays() != current.cooldownDays()
                || !changed.strategies().equals(current.strategies());
        apply(portfolio, changed);
        // Alpaca: updating a portfolio that needs adjustment (with weights it can trade) makes it active again.
        if ("needs_adjustment".equals(portfolio.status)) {
            portfolio.status = "active";
            targetsChanged = true;
        }
        if (targetsChanged) {
            for (SubscriptionEntity subscription : SubscriptionEntity.activeOf(id)) {
                announceTargets(subscription, portfolio);
            }
        }
        return view(portfolio);
    }

    /** The active portfolios and the symbols of their asset weights. */
    @Transactional
    public Map<UUID, List<String>> activeAssets() {
        Map<UUID, List<String>> symbols = new java.util.LinkedHashMap<>();
        for (PortfolioEntity p : PortfolioEntity.<PortfolioEntity>list("status", "active")) {
            symbols.put(p.id, Json.weights(p.weights).stream().filter(w -> w.type() == WeightType.ASSET)
                    .map(Weight::symbol).toList());
        }
        return symbols;
    }

    /**
     * An asset of the portfolio can no longer be traded: as at Alpaca, the portfolio needs adjustment — its
     * subscribers' queued runs are canceled, the drift monitor queues nothing for them and holds their deposits, and
     * an alert names the asset; a {@code PATCH} with tradable weights makes it active again. False if it was no longer
     * active.
     */
    @Transactional
    public boolean needsAdjustment(UUID id, String why) {
        PortfolioEntity portfolio = find(id);
        if (!"active".equals(portfolio.status)) {
            return false;
        }
        portfolio.status = "needs_adjustment";
        portfolio.updatedAt = Clock.now();
        List<SubscriptionEntity> subscriptions = SubscriptionEntity.activeOf(id);
        int canceled = 0;
        for (SubscriptionEntity subscription : subscriptions) {
            announceTargets(subscription, portfolio);
            canceled += RunBook.cancelQueuedAutomatic(outbox, subscription.accountId, Clock.now(),
                    "portfolio " + id + " needs adjustment: " + why);
        }
        outbox.alert(Severity.WARNING, null, "Portfolio needs adjustment: " + portfolio.name,
                why + ", so portfolio " + id + " (" + portfolio.name + ") needs adjustment: " + subscriptions.size()
                        + " subscribed account(s), " + canceled + " queued run(s) canceled, no automatic run is queued"
                        + " and deposits wait until a PATCH with tradable weights makes it active again");
        return true;
    }

    /** Soft delete: the portfolio becomes inactive; refused while any account is subscribed to it. */
    @Transactional
    public void archive(UUID id) {
        PortfolioEntity portfolio = find(id);
        int subscribers = SubscriptionEntity.activeOf(id).size();
        if (subscribers > 0) {
            throw Refusal.notAllowed("portfolio " + id + " has " + subscribers
                    + " active subscription(s); delete them before archiving it");
        }
        if (!"inactive".equals(portfolio.status)) {
            portfolio.status = "inactive";
            portfolio.updatedAt = Clock.now();
        }
    }

    @Transactional
    public Views.Portfolio get(UUID id) {
        return view(find(id));
    }

    /** Alpaca's filters, all of which must hold; a plain array, as Alpaca answers. */
    @Transactional
    public List<Views.Portfolio> list(String name, String description, String symbol, String portfolioId, String status) {
        return PortfolioEntity.<PortfolioEntity>listAll().stream()
                .filter(p -> name == null || p.name.equals(name))
                .filter(p -> description == null || Objects.equals(p.description, description))
                .filter(p -> portfolioId == null || p.id.toString().equals(portfolioId))
                .filter(p -> status == null || p.status.equals(status.toLowerCase(Locale.ROOT)))
                .filter(p -> symbol == null || Json.weights(p.weights).stream()
                        .anyMatch(w -> w.type() == WeightType.ASSET && w.symbol().equals(symbol)))
                .sorted(Comparator.comparing((PortfolioEntity p) -> p.createdAt).thenComparing(p -> p.id))
                .map(PortfolioBook::view)
                .toList();
    }

    /** The subscription's targets on the targets topic, for the drift monitor. */
    void announceTargets(SubscriptionEntity subscription, PortfolioEntity portfolio) {
        outbox.publish(Topics.TARGETS, new TargetAllocation(UUID.randomUUID().toString(), subscription.accountId,
                Clock.now(), subscription.id.toString(), portfolio.id.toString(),
                PortfolioStatus.valueOf(portfolio.status.toUpperCase(Locale.ROOT)), Json.weights(portfolio.weights),
                Json.conditions(portfolio.rebalanceConditions), portfolio.cooldownDays, subscription.lastRebalancedAt,
                portfolio.updatedAt, Json.strategies(portfolio.strategies)));
    }

    static PortfolioEntity find(UUID id) {
        PortfolioEntity portfolio = PortfolioEntity.findById(id);
        if (portfolio == null) {
            throw Refusal.notFound("portfolio not found: " + id);
        }
        return portfolio;
    }

    private static void apply(PortfolioEntity portfolio, PortfolioDraft draft) {
        portfolio.name = draft.name();
        portfolio.description = draft.description();
        portfolio.weights = Json.write(draft.weights());
        portfolio.rebalanceConditions = draft.rebalanceConditions().isEmpty() ? null : Json.write(draft.rebalanceConditions());
        portfolio.cooldownDays = draft.cooldownDays();
        portfolio.strategies = Json.strategies(draft.strategies());
        portfolio.updatedAt = Clock.now();
    }

    private static PortfolioDraft draftOf(PortfolioEntity portfolio) {
        return new PortfolioDraft(portfolio.name, portfolio.description, Json.weights(portfolio.weights),
                Json.conditions(portfolio.rebalanceConditions), portfolio.cooldownDays,
                Json.strategies(portfolio.strategies));
    }

    /** Rebalancing to the band's edge needs a band: a portfolio asking for it has a drift_band condition. */
    private static void requireBandForEdge(PortfolioDraft draft) {
        var costs = draft.strategies().tradeCosts();
        if (costs != null && costs.toBandEdge() && draft.rebalanceConditions().stream()
                .noneMatch(c -> c.type() == dev.rebalancer.contracts.ConditionType.DRIFT_BAND)) {
            throw new dev.rebalancer.portfolio.domain.InvalidInput("strategies.trade_costs.rebalance_to",
                    "band_edge needs a drift_band condition on the portfolio; it has none");
        }
    }

    /** The volatility sources some portfolio's volatility filter goes by: the readings worth fetching. */
    @Transactional
    public java.util.Set<dev.rebalancer.contracts.VolatilityFilter.Source> volatilitySources() {
        java.util.Set<dev.rebalancer.contracts.VolatilityFilter.Source> sources =
                java.util.EnumSet.noneOf(dev.rebalancer.contracts.VolatilityFilter.Source.class);
        for (PortfolioEntity portfolio : PortfolioEntity.<PortfolioEntity>list("strategies is not null")) {
            var filter = Json.strategies(portfolio.strategies).volatilityFilter();
            if (filter != null) {
                sources.add(filter.source());
            }
        }
        return sources;
    }

    /** The portfolio's opt-in strategies (not part of Alpaca's portfolio shape). */
    public Views.PortfolioStrategies strategies(UUID id) {
        PortfolioEntity portfolio = find(id);
        return new Views.PortfolioStrategies(portfolio.id.toString(), Json.strategies(portfolio.strategies));
    }

    static Views.Portfolio view(PortfolioEntity p) {
        List<Weight> weights = Json.weights(p.weights);
        return new Views.Portfolio(p.id.toString(), p.name, p.description == null ? "" : p.description, p.status,
                p.cooldownDays, weights,
                p.rebalanceConditions == null ? null : Json.conditions(p.rebalanceConditions), p.createdAt, p.updatedAt);
    }
}
