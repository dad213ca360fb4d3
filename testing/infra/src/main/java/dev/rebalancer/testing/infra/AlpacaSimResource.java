package dev.rebalancer.testing.infra;

import dev.rebalancer.sim.AlpacaSimServer;
import dev.rebalancer.sim.SimAdminClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands the Alpaca paper-broker simulator to a Quarkus test as the service's one Alpaca account
 * ({@code rebalancer.accounts.main.*}): started once per JVM, with the account {@link #KEY_ID} / {@link #SECRET}
 * holding {@link #CASH}. Tests drive it through its admin API at {@code rebalancer.accounts.main.base-url}.
 * The init argument {@code more-accounts} ({@code "a,b"}) adds accounts named so, each with key {@code <name>-key},
 * secret {@code <name>-secret} and {@link #CASH}, as {@code rebalancer.accounts.<name>.*}.
 */
public class AlpacaSimResource implements QuarkusTestResourceLifecycleManager {

    public static final String KEY_ID = "sim-key";
    public static final String SECRET = "sim-secret";
    public static final String CASH = "10000";

    static final String URL_PROPERTY = "rebalancer-testing.alpaca-sim.url";
    private List<String> moreAccounts = List.of();

    @Override
    public void init(Map<String, String> initArgs) {
        String names = initArgs.getOrDefault("more-accounts", "");
        moreAccounts = names.isBlank() ? List.of() : List.of(names.split(","));
    }

    @Override
    public Map<String, String> start() {
        String url = simulatorUrl();
        InfraLog.say("Quarkus test uses the Alpaca simulator at %s", url);
        Map<String, String> config = new HashMap<>(Map.of(
                "rebalancer.accounts.main.api-key-id", KEY_ID,
                "rebalancer.accounts.main.api-secret-key", SECRET,
                "rebalancer.accounts.main.base-url", url));
        for (String name : moreAccounts) {
            // The simulator outlives the Quarkus apps of the JVM (and their class loaders); so does this mark.
            synchronized (System.class) {
                if (System.getProperty(URL_PROPERTY + "." + name) == null) {
                    new SimAdminClient(URI.create(url)).createAccount(name + "-key", name + "-secret", CASH);
                    System.setProperty(URL_PROPERTY + "." + name, "created");
                }
            }
            config.put("rebalancer.accounts." + name + ".api-key-id", name + "-key");
            config.put("rebalancer.accounts." + name + ".api-secret-key", name + "-secret");
            config.put("rebalancer.accounts." + name + ".base-url", url);
        }
        return config;
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
