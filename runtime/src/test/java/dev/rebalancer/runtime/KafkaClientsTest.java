package dev.rebalancer.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

    static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"executor\""
            + " password=\"s3cret-pw\";";

    /** What Quarkus makes of the kafka.* settings and KAFKA_* variables of a secured cluster. */
    static final Map<String, Object> SECURED = Map.of(
            "bootstrap.servers", "kafka-0:9093",
            "security.protocol", "SASL_SSL",
            "sasl.mechanism", "SCRAM-SHA-512",
            "sasl.jaas.config", JAAS,
            "ssl.truststore.location", "/etc/kafka/ca.p12",
            "ssl.truststore.password", "trust-pw",
            "session.timeout.ms", "10000",
            "linger.ms", "20",
            "group.id", "order-executor",
            "tls-configuration-name", "kafka-tls");

    final KafkaClients clients = KafkaClients.of(SECURED, "order-executor");

    @Test
    void every_kind_of_client_gets_the_whole_secured_connection_and_only_settings_it_knows() {
        Map<String, Object> producer = clients.producer("outbox", Map.of("acks", "all"));
        Map<String, Object> consumer = clients.consumer("dead-letters", Map.of());
        Map<String, Object> admin = clients.admin("topics");
        Map<String, Object> streams = clients.streams(Map.of("application.id", "drift-monitor"));

        for (Map<String, Object> config : java.util.List.of(producer, consumer, admin, streams)) {
            assertThat(config).containsEntry("bootstrap.servers", "kafka-0:9093")
                    .containsEntry("security.protocol", "SASL_SSL")
                    .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                    .containsEntry("sasl.jaas.config", JAAS)
                    .containsEntry("ssl.truststore.location", "/etc/kafka/ca.p12")
                    .containsEntry("ssl.truststore.password", "trust-pw")
                    .doesNotContainKey("tls-configuration-name");
        }
        assertThat(producer).containsEntry("client.id", "order-executor-outbox").containsEntry("linger.ms", "20")
                .containsEntry("acks", "all").doesNotContainKeys("session.timeout.ms", "group.id");
        assertThat(consumer).containsEntry("client.id", "order-executor-dead-letters")
                .containsEntry("session.timeout.ms", "10000")
                .doesNotContainKeys("linger.ms", "group.id"); // a group is chosen by the consumer, not inherited
        assertThat(clients.consumer("x", Map.of("group.id", "mine"))).containsEntry("group.id", "mine");
        assertThat(admin).containsEntry("client.id", "order-executor-topics")
                .doesNotContainKeys("linger.ms", "session.timeout.ms", "group.id");
        assertThat(streams).containsEntry("application.id", "drift-monitor")
                .doesNotContainKeys("client.id", "linger.ms", "session.timeout.ms", "group.id");
    }

    @Test
    void refused_credentials_and_rights_are_told_in_words_that_name_the_settings_and_never_a_password() {
        ExecutionException refused = new ExecutionException(
                new SaslAuthenticationException("Authentication failed: Invalid username or password"));

        assertThat(clients.refusal(refused)).hasValueSatisfying(message -> assertThat(message)
                .contains("kafka-0:9093", "refused this service's credentials", "SASL_SSL SCRAM-SHA-512",
                        "Invalid username or password", "KAFKA_SASL_JAAS_CONFIG")
                .doesNotContain("s3cret-pw", "trust-pw"));
        assertThat(clients.refusal(new ExecutionException(new TopicAuthorizationException("not allowed"))))
                .hasValueSatisfying(message -> assertThat(message).contains("ACLs"));
        assertThat(clients.refusal(new ExecutionException(new TimeoutException("no answer")))).isEmpty();
        assertThat(clients.describe()).isEqualTo("SASL_SSL SCRAM-SHA-512");
        assertThat(KafkaClients.of(Map.of("bootstrap.servers", "k:9092"), "x").describe()).isEqualTo("PLAINTEXT");
    }

    @Test
    void without_bootstrap_servers_it_says_which_setting_is_missing() {
        assertThatThrownBy(() -> KafkaClients.of(Map.of("security.protocol", "SSL"), "x"))
                .hasMessageContaining("KAFKA_BOOTSTRAP_SERVERS");
    }
}
