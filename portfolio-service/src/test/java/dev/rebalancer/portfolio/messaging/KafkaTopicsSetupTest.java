package dev.rebalancer.portfolio.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.config.PortfolioConfig;
import dev.rebalancer.testing.infra.KafkaBroker;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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

    @Test
    void missing_topics_are_created_and_an_existing_one_with_another_partition_count_is_reported() throws Exception {
        String existing = "existing-" + UUID.randomUUID();
        String missing = "missing-" + UUID.randomUUID();
        Map<String, Object> settings = new java.util.HashMap<>(KafkaBroker.clientConfig());
        settings.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.bootstrapServers());
        try (Admin admin = Admin.create(settings)) {
            admin.createTopics(List.of(new NewTopic(existing, 2, (short) 1))).all().get();

            List<String> mismatched = KafkaTopicsSetup.create(admin, List.of(new NewTopic(existing, 6, (short) 1),
                    new NewTopic(missing, 6, (short) 1)));

            assertThat(mismatched).containsExactly(existing);
            var described = admin.describeTopics(List.of(existing, missing)).allTopicNames().get();
            assertThat(described.get(missing).partitions()).hasSize(6);
            assertThat(described.get(existing).partitions()).as("an existing topic keeps its count").hasSize(2);
            assertThat(KafkaTopicsSetup.create(admin, List.of(new NewTopic(missing, 6, (short) 1)))).isEmpty();
        }
    }
}
