package dev.rebalancer.portfolio.alpaca;

import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.AlpacaClientOptions;
import dev.rebalancer.alpaca.AlpacaEndpoint;
import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.model.Account;
import dev.rebalancer.portfolio.config.PortfolioConfig;
import dev.rebalancer.portfolio.persistence.AccountEntity;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The Alpaca accounts from configuration, each with its client, known by Alpaca's account id once Alpaca has told it.
 * An account Alpaca cannot be reached for at start-up is registered as soon as it can.
 */
@ApplicationScoped
public class AlpacaAccounts {

    /** A managed account; the client holds the keys, nothing else does. */
    public record Managed(String name, String accountId, AlpacaClient client, boolean dryRun) {
    }

    private static final Logger LOG = Logger.getLogger(AlpacaAccounts.class);

    private final Map<String, AlpacaClient> configured = new LinkedHashMap<>();
    private final Map<String, Boolean> dryRun = new LinkedHashMap<>();
    private final Map<String, Managed> byId = new ConcurrentHashMap<>();
    private final AlpacaHealth health;

    AlpacaAccounts(PortfolioConfig config, AlpacaHealth health, dev.rebalancer.runtime.Metrics metrics) {
        this.health = health;
        PollingBudget budget = new PollingBudget(config.sync().alpacaRequestsPerMinute(), config.sync().portfolioShare());
        Map<String, java.util.List<String>> accountsByKey = new LinkedHashMap<>();
        config.accounts().forEach((name, account) -> account.apiKeyId().ifPresent(key ->
                accountsByKey.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add(name)));
        budget.check(accountsByKey, config.sync().depositsInterval(), config.sync().positionsInterval());
        config.accounts().forEach((name, account) -> {
            if (account.apiKeyId().isEmpty() || account.apiSecretKey().isEmpty()) {
                LOG.infof("account %s has no Alpaca keys configured; it is not managed", name);
                return;
            }
            AlpacaEndpoint endpoint = new AlpacaEndpoint(account.baseUrl(), account.apiKeyId().get(),
                    account.apiSecretKey().get());
            // Never more than this service's share of the key's limit, whatever happens.
            int perClient = Math.max(1, budget.perMinute() / accountsByKey.get(account.apiKeyId().get()).size());
            AlpacaClient client = new AlpacaClient(endpoint,
                    AlpacaClientOptions.defaults().withRequestsPerMinute(perClient)).observedBy(metrics.alpacaRequests());
            configured.put(name, client);
            metrics.alpacaBudget("account-" + name, client::budgetRemaining);
            dryRun.put(name, account.dryRun().orElse(endpoint.isLive()));
            LOG.infof("account %s: %s, %s%s", name, endpoint.baseUrl(), endpoint.isLive() ? "live" : "paper",
                    dryRun.get(name) ? ", dry run" : "");
        });
        if (configured.isEmpty()) {
            LOG.warn("no Alpaca account is configured (ALPACA_API_KEY_ID / ALPACA_API_SECRET_KEY): nothing to manage");
        }
    }

    void onStart(@Observes StartupEvent event) {
        registerPending();
    }

    /**
     * One registration round at a time: the one at start-up can outlast the interval (hundreds of accounts, one
     * request each), and two rounds would ask Alpaca for the same accounts twice. (Instances registering at once are
     * safe: {@link #register} is one upsert.)
     */
    @Scheduled(every = "10s", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void registerPending() {
        configured.forEach((name, client) -> {
            if (byId.values().stream().anyMatch(m -> m.name().equals(name))) {
                return;
            }
            try {
                Account account = client.account();
                register(name, client, account);
                health.succeeded(name);
            } catch (AlpacaException e) {
                health.failed(name, null, e);
            }
        });
    }

    /**
     * Records the account (the time it came under management kept from the first time), in one statement: every
     * instance of the service registers every account at start, and two may do so at once.
     */
    @Transactional
    void register(String name, AlpacaClient client, Account account) {
        boolean dry = dryRun.get(name);
        AccountEntity.getEntityManager().createNativeQuery("""
                INSERT INTO account (account_id, name, account_number, mode, dry_run, base_url, created_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, now())
                ON CONFLICT (account_id) DO UPDATE SET name = EXCLUDED.name, account_number = EXCLUDED.account_number,
                    mode = EXCLUDED.mode, dry_run = EXCLUDED.dry_run, base_url = EXCLUDED.base_url""")
                .setParameter(1, account.id()).setParameter(2, name).setParameter(3, account.accountNumber())
                .setParameter(4, client.endpoint().isLive() ? "live" : "paper").setParameter(5, dry)
                .setParameter(6, client.endpoint().baseUrl().toString()).executeUpdate();
        byId.put(account.id(), new Managed(name, account.id(), client, dry));
        LOG.infof("managing Alpaca account %s (%s) as %s", account.accountNumber(), account.id(), name);
    }

    /** How many accounts are configured with keys, registered with Alpaca yet or not. */
    public int configured() {
        return configured.size();
    }

    public Collection<Managed> all() {
        return byId.values();
    }

    public Optional<Managed> byAccountId(String accountId) {
        return Optional.ofNullable(byId.get(accountId));
    }

    /** Any configured client, for what is the same for every account (assets, the clock). */
    public Optional<AlpacaClient> anyClient() {
        return configured.values().stream().findFirst();
    }
}
