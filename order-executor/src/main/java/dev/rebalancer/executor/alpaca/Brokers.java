package dev.rebalancer.executor.alpaca;

import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.AlpacaClientOptions;
import dev.rebalancer.alpaca.AlpacaEndpoint;
import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.KeySplit;
import dev.rebalancer.alpaca.RequestBudget;
import dev.rebalancer.alpaca.model.Asset;
import dev.rebalancer.executor.config.ExecutorConfig;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The Alpaca accounts from configuration, each with its client and {@code trade_updates} watch, known by Alpaca's
 * account id once Alpaca has told it. The keys stay inside the clients.
 */
@ApplicationScoped
public class Brokers {

    /** A traded account. */
    public record Broker(String name, String accountId, AlpacaClient client, boolean dryRun, OrderWatch watch) {
    }

    private record Configured(String name, AlpacaClient client, boolean dryRun) {
    }

    private static final Logger LOG = Logger.getLogger(Brokers.class);
    private static final Duration ASSET_TTL = Duration.ofHours(1);
    /** How long requests wait for the budget's database before they fail as Alpaca being unavailable. */
    private static final Duration BUDGET_UNAVAILABLE_AFTER = Duration.ofSeconds(15);

    private final List<Configured> configured = new ArrayList<>();
    private final Map<String, Broker> byId = new ConcurrentHashMap<>();
    private final Map<String, CachedAsset> assets = new ConcurrentHashMap<>();

    private record CachedDay(java.time.LocalDate date, Optional<Instant> close) {
    }

    private volatile CachedDay calendarDay;

    private record CachedAsset(Asset asset, Instant until) {
    }

    Brokers(ExecutorConfig config, io.agroal.api.AgroalDataSource dataSource, dev.rebalancer.runtime.Metrics metrics) {
        KeySplit split = new KeySplit(config.alpaca().requestsPerMinute(), config.alpaca().portfolioShare());
        Map<String, RequestBudget> budgets = new java.util.HashMap<>();
        config.accounts().forEach((name, account) -> {
            if (account.apiKeyId().isEmpty() || account.apiSecretKey().isEmpty()) {
                LOG.infof("account %s has no Alpaca keys configured; it is not traded", name);
                return;
            }
            AlpacaEndpoint endpoint = new AlpacaEndpoint(account.baseUrl(), account.apiKeyId().get(),
                    account.apiSecretKey().get());
            boolean dryRun = account.dryRun().orElse(endpoint.isLive());
            // Accounts on one key share its budget, and so do this service's replicas, through the database.
            RequestBudget budget = budgets.computeIfAbsent(endpoint.keyId(), key -> {
                SharedRequestBudget shared = new SharedRequestBudget(dataSource, key, split.executorsPerMinute(),
                        BUDGET_UNAVAILABLE_AFTER, RequestBudget.Sleeper.THREAD);
                metrics.alpacaBudget("key-" + shared.label(), shared::remaining);
                return shared;
            });
            configured.add(new Configured(name, new AlpacaClient(endpoint, AlpacaClientOptions.defaults(), budget)
                    .observedBy(metrics.alpacaRequests()), dryRun));
            LOG.infof("account %s: %s, %s%s", name, endpoint.baseUrl(), endpoint.isLive() ? "live" : "paper",
                    dryRun ? ", dry run" : "");
        });
    }

    /**
     * The account's broker; asks Alpaca which configured keys are whose until it is found. Empty when every configured
     * key pair has told its account and none is this one.
     *
     * @throws NotYetKnown when some keys could not be asked just now (429, 5xx, no answer): ask again later
     */
    public Optional<Broker> forAccount(String accountId) {
        Broker known = byId.get(accountId);
        if (known != null) {
            return Optional.of(known);
        }
        AlpacaException unanswered = null;
        for (Configured candidate : configured) {
            if (byId.values().stream().anyMatch(b -> b.name().equals(candidate.name()))) {
                continue;
            }
            try {
                String id = candidate.client().account().id();
                byId.putIfAbsent(id, new Broker(candidate.name(), id, candidate.client(), candidate.dryRun(),
                        new OrderWatch(candidate.client())));
            } catch (AlpacaException.Unauthorized e) {
                LOG.warnf("account %s: Alpaca refused its keys (%s)", candidate.name(), e.getMessage());
            } catch (AlpacaException e) {
                LOG.warnf("account %s: Alpaca did not tell its id (%s)", candidate.name(), e.getMessage());
                unanswered = e;
            }
        }
        Broker found = byId.get(accountId);
        if (found == null && unanswered != null) {
            throw new NotYetKnown(accountId, unanswered);
        }
        return Optional.ofNullable(found);
    }

    /**
     * Whether the account is dry run, as far as is known without asking Alpaca: its broker's setting when known; else
     * the setting all configured accounts share; else dry run. The driver settles it before the run starts.
     */
    public boolean provisionalDryRun(String accountId) {
        Broker known = byId.get(accountId);
        if (known != null) {
            return known.dryRun();
        }
        return configured.isEmpty() || configured.stream().anyMatch(Configured::dryRun);
    }

    /** Alpaca could not be asked, just now, whether one of the configured key pairs is the account's. */
    public static final class NotYetKnown extends RuntimeException {
        NotYetKnown(String accountId, AlpacaException cause) {
            super("account " + accountId + " not found yet: Alpaca did not answer for every configured key pair ("
                    + cause.getMessage() + ")", cause);
        }
    }

    /**
     * The asset (tradable, fractionable), cached for an hour: the same for every account. {@code afterAsking} runs
     * after Alpaca was asked (a run renews its lease there).
     */
    public Optional<Asset> asset(AlpacaClient client, String symbol, Runnable afterAsking) {
        CachedAsset cached = assets.get(symbol);
        if (cached != null && cached.until().isAfter(Instant.now())) {
            return Optional.of(cached.asset());
        }
        Optional<Asset> asset = client.asset(symbol);
        afterAsking.run();
        asset.ifPresent(a -> assets.put(symbol, new CachedAsset(a, Instant.now().plus(ASSET_TTL))));
        return asset;
    }

    /**
     * Today's close (New York date {@code today}) in Alpaca's calendar, early closes included; empty when the
     * calendar lists no session today. Asked once a day, the same for every account.
     */
    public Optional<Instant> calendarClose(AlpacaClient client, java.time.LocalDate today) {
        CachedDay cached = calendarDay;
        if (cached == null || !cached.date().equals(today)) {
            Optional<Instant> close = client.calendar(today, today).stream().filter(d -> d.date().equals(today))
                    .findFirst().map(d -> d.closesAt().toInstant());
            cached = new CachedDay(today, close);
            calendarDay = cached;
        }
        return cached.close();
    }

    /** Forgets what was learnt (account ids, assets, streams), as a restart does. */
    public void forgetAll() {
        byId.values().forEach(b -> b.watch().close());
        byId.clear();
        assets.clear();
        calendarDay = null;
    }

    void close(@Observes ShutdownEvent event) {
        byId.values().forEach(b -> b.watch().close());
    }
}
