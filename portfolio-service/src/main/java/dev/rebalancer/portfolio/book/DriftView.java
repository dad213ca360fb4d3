package dev.rebalancer.portfolio.book;

import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.PositionSnapshot;
import dev.rebalancer.portfolio.config.PortfolioConfig;
import dev.rebalancer.portfolio.persistence.AccountEntity;
import dev.rebalancer.portfolio.persistence.PortfolioEntity;
import dev.rebalancer.portfolio.persistence.SubscriptionEntity;
import dev.rebalancer.portfolio.domain.Refusal;
import dev.rebalancer.rules.drift.Drift;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Locale;

/**
 * Each weight's drift for an account: its latest position snapshot against its active subscription's portfolio,
 * computed by the drift rules the drift monitor runs ({@link Drift}), cash judged net of the executor's reserve. Served
 * here, behind the API's credentials, for every account whichever drift-monitor instance holds it.
 */
@ApplicationScoped
public class DriftView {

    private final int reserveBasisPoints;

    DriftView(PortfolioConfig config) {
        this.reserveBasisPoints = config.reserveBasisPoints();
    }

    @Transactional
    public Views.Drift of(String accountId) {
        AccountEntity account = AccountEntity.findById(accountId);
        if (account == null) {
            throw Refusal.notFound("account not found: " + accountId);
        }
        SubscriptionEntity subscription = SubscriptionEntity.activeFor(accountId).orElseThrow(() ->
                Refusal.notFound("account " + accountId + " has no active subscription: it has no target to "
                        + "drift from"));
        if (account.snapshot == null) {
            throw Refusal.notFound("account " + accountId + " has no position snapshot yet");
        }
        PortfolioEntity portfolio = PortfolioBook.find(subscription.portfolioId);
        PositionSnapshot snapshot = EventJson.read(account.snapshot, PositionSnapshot.class);
        Drift.Report report = Drift.of(Json.weights(portfolio.weights), Json.conditions(portfolio.rebalanceConditions),
                Drift.paired(snapshot, Json.weights(portfolio.weights), Json.strategies(portfolio.strategies)),
                reserveBasisPoints);
        List<Views.WeightDrift> weights = report.lines().stream().map(line -> {
            dev.rebalancer.contracts.WeightDrift d = line.drift();
            return new Views.WeightDrift(d.type().name().toLowerCase(Locale.ROOT), d.symbol(), d.currentPercent(),
                    d.targetPercent(), d.currentPercent().subtract(d.targetPercent()), d.bandPercent(),
                    line.breached());
        }).toList();
        return new Views.Drift(accountId, portfolio.id.toString(), snapshot.occurredAt(), snapshot.equity(),
                report.breached(), weights);
    }
}
