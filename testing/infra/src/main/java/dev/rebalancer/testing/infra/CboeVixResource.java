package dev.rebalancer.testing.infra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Hands a Quarkus test the {@link CboeVixFile} double as {@code rebalancer.volatility.vix-url}: started once per JVM
 * (it outlives the Quarkus apps and their class loaders), driven over HTTP.
 */
public class CboeVixResource implements QuarkusTestResourceLifecycleManager {

    static final String URL_PROPERTY = "rebalancer-testing.vix-file.url";

    @Override
    public Map<String, String> start() {
        synchronized (System.class) {
            String running = System.getProperty(URL_PROPERTY);
            if (running == null) {
                CboeVixFile file = CboeVixFile.start(0);
                Runtime.getRuntime().addShutdownHook(new Thread(file::close, "vix-file-stop"));
                running = file.url().toString();
                System.setProperty(URL_PROPERTY, running);
                InfraLog.say("VIX file double started at %s", running);
            }
            return Map.of("rebalancer.volatility.vix-url", running);
        }
    }

    @Override
    public void stop() {
        // The double stops when the JVM exits.
    }
}
