package dev.rebalancer.testing.infra;

import dev.rebalancer.sim.AlpacaSimServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Hands the Alpaca paper-broker simulator to a Quarkus test as the service's one Alpaca account
 * ({@code rebalancer.accounts.main.*}): started once per JVM, with the account {@link #KEY_ID} / {@link #SECRET}
 * holding {@link #CASH}. Tests drive it through its admin API at {@code rebalancer.accounts.main.base-url}.
 */
public class AlpacaSimResource implements QuarkusTestResourceLifecycleManager {

    public static final String KEY_ID = "sim-key";
    public static final String SECRET = "sim-secret";
    public static final String CASH = "10000";

    static final String URL_PROPERTY = "rebalancer-testing.alpaca-sim.url";

    @Override
    public Map<String, String> start() {
        String url = simulatorUrl();
        InfraLog.say("Quarkus test uses the Alpaca simulator at %s", url);
        return Map.of(
                "rebalancer.accounts.main.api-key-id", KEY_ID,
                "rebalancer.accounts.main.api-secret-key", SECRET,
                "rebalancer.accounts.main.base-url", url);
    }

    private static String simulatorUrl() {
        synchronized (System.class) {
            String running = System.getProperty(URL_PROPERTY);
            if (running != null) {
                return running;
            }
            AlpacaSimServer sim = AlpacaSimServer.start(0);
            Runtime.getRuntime().addShutdownHook(new Thread(sim::close, "alpaca-sim-stop"));
            sim.admin().createAccount(KEY_ID, SECRET, CASH);
            System.setProperty(URL_PROPERTY, sim.baseUrl().toString());
            InfraLog.say("Alpaca simulator started at %s", sim.baseUrl());
            return sim.baseUrl().toString();
        }
    }

    @Override
    public void stop() {
        // The simulator stops when the JVM exits.
    }
}
