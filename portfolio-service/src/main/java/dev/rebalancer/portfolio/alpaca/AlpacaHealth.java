package dev.rebalancer.portfolio.alpaca;

import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.portfolio.config.PortfolioConfig;
import dev.rebalancer.portfolio.messaging.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Watches Alpaca polls per account: after N failures in a row, one alert that Alpaca is unreachable or refuses the
 * keys; when it answers again, one alert that it recovered. Never one per poll.
 */
@ApplicationScoped
public class AlpacaHealth {

    private static final Logger LOG = Logger.getLogger(AlpacaHealth.class);

    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Map<String, Boolean> alerted = new ConcurrentHashMap<>();
    private final int threshold;
    private final Outbox outbox;

    AlpacaHealth(PortfolioConfig config, Outbox outbox) {
        this.threshold = config.sync().alertAfterFailures();
        this.outbox = outbox;
    }

    /** The accounts whose latest Alpaca calls failed, with how many in a row; empty when Alpaca answers for all. */
    public Map<String, Integer> failing() {
        return Map.copyOf(failures);
    }

    /** Whether Alpaca answers for the account: fewer failures in a row than make it unreachable. */
    public boolean reachable(String name) {
        return failures.getOrDefault(name, 0) < threshold;
    }

    public void succeeded(String name) {
        failures.remove(name);
        if (alerted.remove(name) != null) {
            LOG.infof("Alpaca answers again for account %s", name);
            QuarkusTransaction.requiringNew().run(() -> outbox.alert(Severity.INFO, null,
                    "Alpaca reachable again for account " + name, "polls succeed again"));
        }
    }

    public void failed(String name, String accountId, AlpacaException e) {
        int inARow = failures.merge(name, 1, Integer::sum);
        LOG.warnf("Alpaca call for account %s failed (%d in a row): %s", name, inARow, e.getMessage());
        if (inARow >= threshold && alerted.putIfAbsent(name, true) == null) {
            String what = e instanceof AlpacaException.Unauthorized ? "refuses the API keys" : "is unreachable";
            QuarkusTransaction.requiringNew().run(() -> outbox.alert(Severity.CRITICAL, accountId,
                    "Alpaca " + what + " for account " + name,
                    inARow + " polls in a row failed; last: " + e.getMessage()));
        }
    }
}
