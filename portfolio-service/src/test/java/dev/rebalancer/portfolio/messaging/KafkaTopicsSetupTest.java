package dev.rebalancer.portfolio.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.config.PortfolioConfig;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

class KafkaTopicsSetupTest {

    @Test
    void every_topic_gets_the_configured_replicas_and_the_replicas_a_write_must_reach() {
        List<NewTopic> topics = KafkaTopicsSetup.topics((PortfolioConfig.Topics) java.lang.reflect.Proxy.newProxyInstance(
                PortfolioConfig.Topics.class.getClassLoader(), new Class<?>[] {PortfolioConfig.Topics.class},
                // A proxy, not a class: a class implementing the mapping would inherit its constraints, which CDI would
                // take for interceptor bindings.
                (proxy, method, args) -> switch (method.getName()) {
                    case "partitions" -> 6;
                    case "replicationFactor" -> (short) 3;
                    case "minInsyncReplicas" -> 2;
                    default -> throw new UnsupportedOperationException(method.getName());
                }));

        assertThat(topics).extracting(NewTopic::name).containsExactlyInAnyOrderElementsOf(Topics.layout().keySet());
        assertThat(topics).allSatisfy(topic -> {
            assertThat(topic.numPartitions()).isEqualTo(6);
            assertThat(topic.replicationFactor()).isEqualTo((short) 3);
            assertThat(topic.configs()).containsEntry("min.insync.replicas", "2")
                    .containsAllEntriesOf(Topics.layout().get(topic.name()));
        });
    }
}
