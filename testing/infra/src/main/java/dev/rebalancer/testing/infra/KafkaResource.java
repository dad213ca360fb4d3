package dev.rebalancer.testing.infra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Hands the in-process Kafka broker to a Quarkus test: {@code @WithTestResource(KafkaResource.class)}, with the
 * system's topics created as the portfolio service creates them in production. The broker is shared by every test of
 * the JVM and outlives each Quarkus application, so {@link #stop()} leaves it running.
 */
public class KafkaResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        String servers = KafkaBroker.bootstrapServers();
        KafkaBroker.createSystemTopics();
        InfraLog.say("Quarkus test uses the Kafka broker at %s", servers);
        return Map.of("kafka.bootstrap.servers", servers);
    }

    @Override
    public void stop() {
        // The broker is closed when the JVM exits.
    }
}
