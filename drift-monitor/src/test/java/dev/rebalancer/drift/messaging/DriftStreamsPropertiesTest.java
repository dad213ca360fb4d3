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

    @Test
    void unless_set_an_instance_runs_a_stream_thread_per_input_partition_up_to_eight() {
        DriftConfig unset = config(Map.of());
        DriftConfig two = config(Map.of("drift.stream-threads", "2"));
        java.util.function.BiFunction<DriftConfig, Integer, Object> threads = (config, partitions) ->
                DriftStreams.withThreads(DriftStreams.properties(config, Map.of("bootstrap.servers", "broker:9092")),
                        partitions).get("num.stream.threads");

        assertThat(threads.apply(unset, 6)).isEqualTo(6);
        assertThat(threads.apply(unset, 1)).isEqualTo(1);
        assertThat(threads.apply(unset, 48)).isEqualTo(8);
        assertThat(threads.apply(two, 6)).isEqualTo(2);
        assertThat(unset.commitInterval()).isEqualTo(java.time.Duration.ofSeconds(1));
    }

    private static DriftConfig config(Map<String, String> values) {
        return new SmallRyeConfigBuilder().withMapping(DriftConfig.class)
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withDefaultValues(values).build().getConfigMapping(DriftConfig.class);
    }
}
