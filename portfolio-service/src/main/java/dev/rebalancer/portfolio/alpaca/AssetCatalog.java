package dev.rebalancer.portfolio.alpaca;

import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.model.Asset;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.contracts.WeightType;
import dev.rebalancer.portfolio.config.PortfolioConfig;
import dev.rebalancer.portfolio.domain.InvalidInput;
import dev.rebalancer.portfolio.domain.Refusal;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Alpaca's rule that weights are fractionable, tradable, active US equities, asked of Alpaca and cached for a while
 * (assets rarely change, and portfolio edits should not spend the request budget).
 */
@ApplicationScoped
public class AssetCatalog {

    private record Cached(Optional<Asset> asset, Instant fetchedAt) {
    }

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final AlpacaAccounts accounts;
    private final Duration ttl;

    AssetCatalog(AlpacaAccounts accounts, PortfolioConfig config) {
        this.accounts = accounts;
        this.ttl = config.assetCacheTtl();
    }

    public void requireUsable(List<Weight> weights) {
        for (int i = 0; i < weights.size(); i++) {
            Weight weight = weights.get(i);
            if (weight.type() != WeightType.ASSET) {
                continue;
            }
            String field = "weights[" + i + "].symbol";
            Asset asset = lookup(weight.symbol())
                    .orElseThrow(() -> new InvalidInput(field, "Alpaca knows no asset " + weight.symbol()));
            if (!"us_equity".equals(asset.assetClass())) {
                throw new InvalidInput(field, weight.symbol() + " is " + asset.assetClass() + "; only US equities can be weights");
            }
            if (!"active".equals(asset.status()) || !asset.tradable()) {
                throw new InvalidInput(field, weight.symbol() + " is not tradable");
            }
            if (!asset.fractionable()) {
                throw new InvalidInput(field, weight.symbol() + " is not fractionable");
            }
        }
    }

    /**
     * Why Alpaca would not trade {@code symbol} now (unknown, not active, not tradable), asked of Alpaca afresh; empty
     * when it is usable. Throws {@link AlpacaException} when Alpaca cannot be asked.
     */
    public Optional<String> unusableNow(String symbol) {
        AlpacaClient client = accounts.anyClient().orElseThrow(() -> new IllegalStateException(
                "no Alpaca account is configured"));
        Optional<Asset> asset = fetch(client, symbol);
        if (asset.isEmpty()) {
            return Optional.of(symbol + " is no longer known to Alpaca");
        }
        if (!"active".equals(asset.get().status())) {
            return Optional.of(symbol + " is " + asset.get().status() + " at Alpaca");
        }
        return asset.get().tradable() ? Optional.empty() : Optional.of(symbol + " is not tradable at Alpaca");
    }

    private Optional<Asset> lookup(String symbol) {
        Cached cached = cache.get(symbol);
        if (cached != null && cached.fetchedAt().plus(ttl).isAfter(Instant.now())) {
            return cached.asset();
        }
        AlpacaClient client = accounts.anyClient().orElseThrow(() -> Refusal.unavailable(
                "cannot check assets: no Alpaca account is configured"));
        try {
            return fetch(client, symbol);
        } catch (AlpacaException e) {
            throw Refusal.unavailable("cannot check asset " + symbol + " with Alpaca: " + e.getMessage());
        }
    }

    /** Asks Alpaca, and keeps the answer for the next {@code asset-cache-ttl}. */
    private Optional<Asset> fetch(AlpacaClient client, String symbol) {
        Optional<Asset> asset = client.asset(symbol);
        cache.put(symbol, new Cached(asset, Instant.now()));
        return asset;
    }
}
