package dev.rebalancer.drift.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.drift.config.DriftConfig;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DriftStreamsPropertiesTest {

    @Test
    void the_changelog_and_repartition_topics_get_the_configured_durability() {
        // Durations as Quarkus writes them ("60s"), which plain SmallRye Config does not read.
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(DriftConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withDefaultValues(Map.of("drift.replication-factor", "3", "drift.min-insync-replicas", "2")).build();

        Properties properties = DriftStreams.properties(config.getConfigMapping(DriftConfig.class), java.util.Map.of("bootstrap.servers", "broker:9092"));

        assertThat(properties).containsEntry("replication.factor", 3).containsEntry("topic.min.insync.replicas", 2);
    }
}
