package dev.rebalancer.portfolio.alpaca;

import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.portfolio.book.PortfolioBook;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Alpaca's asset catalogue, looked at again at start and every day ({@code rebalancer.asset-review-interval},
 * {@code ASSET_REVIEW_INTERVAL}, default 24h): an active portfolio with an asset that is no longer active or tradable
 * (delisted, halted for good) turns {@code needs_adjustment}, as at Alpaca. When Alpaca cannot be asked, the round is
 * skipped and the next one tries again: nothing is changed on a guess.
 */
@ApplicationScoped
public class AssetReview {

    private static final Logger LOG = Logger.getLogger(AssetReview.class);

    private final AssetCatalog catalog;
    private final PortfolioBook portfolios;
    private final dev.rebalancer.portfolio.messaging.Instances instances;

    AssetReview(AssetCatalog catalog, PortfolioBook portfolios, dev.rebalancer.portfolio.messaging.Instances instances) {
        this.catalog = catalog;
        this.portfolios = portfolios;
        this.instances = instances;
    }

    @Scheduled(every = "${rebalancer.asset-review-interval:24h}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "asset-review")
    void scheduled() {
        if (!instances.leader()) {
            return;
        }
        try {
            review();
        } catch (AlpacaException | IllegalStateException e) {
            LOG.warnf("asset review skipped: %s", e.getMessage());
        }
    }

    /** One round: returns the portfolios that turned {@code needs_adjustment}. */
    public List<UUID> review() {
        Map<String, Optional<String>> verdicts = new HashMap<>();
        List<UUID> turned = new java.util.ArrayList<>();
        for (Map.Entry<UUID, List<String>> portfolio : portfolios.activeAssets().entrySet()) {
            for (String symbol : portfolio.getValue()) {
                Optional<String> why = verdicts.computeIfAbsent(symbol, catalog::unusableNow);
                if (why.isPresent()) {
                    if (portfolios.needsAdjustment(portfolio.getKey(), why.get())) {
                        LOG.warnf("portfolio %s needs adjustment: %s", portfolio.getKey(), why.get());
                        turned.add(portfolio.getKey());
                    }
                    break;
                }
            }
        }
        return turned;
    }
}
