package dev.rebalancer.executor.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.runtime.KafkaClients;
import dev.rebalancer.runtime.Outbox;
import dev.rebalancer.runtime.Transactions;
import dev.rebalancer.testing.infra.KafkaBroker;
import dev.rebalancer.testing.infra.PostgresServer;
import dev.rebalancer.testing.infra.TopicProbe;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * The executor's outbox table becomes the one every service shares (V6): events written by the executor before the
 * upgrade and not yet published survive it, and the shared relay publishes them, each once.
 */
class OutboxMigrationTest {

    static final String ALERTS = "rebalancer.alerts.v1";

    @Test
    void events_waiting_in_the_old_table_are_published_after_the_upgrade() throws Exception {
        DataSource dataSource = PostgresServer.dataSource("executor_outbox_upgrade");
        Flyway.configure().dataSource(dataSource).cleanDisabled(false).load().clean();
        Flyway.configure().dataSource(dataSource).target("5").load().migrate();
        String key = "upgrade-" + UUID.randomUUID();
        Transactions.inTransaction(dataSource, c -> {
            for (int i = 1; i <= 3; i++) {
                Transactions.update(c, "INSERT INTO outbox (topic, key, payload) VALUES (?, ?, ?)", ALERTS, key,
                        "{\"n\":" + i + "}");
            }
            return null;
        });

        Flyway.configure().dataSource(dataSource).load().migrate();

        assertThat(waiting(dataSource, key)).isEqualTo(3);
        String servers = KafkaBroker.bootstrapServers();
        KafkaBroker.createSystemTopics();
        KafkaClients kafka = KafkaClients.of(Map.of("bootstrap.servers", servers), "outbox-upgrade-test");
        try (Outbox.Relay relay = new Outbox.Relay(dataSource, kafka.outboxProducer(), "order-executor", false,
                Duration.ofSeconds(1)); TopicProbe alerts = new TopicProbe(servers, ALERTS)) {
            while (relay.publishBatch() > 0) {
                // drain
            }
            assertThat(alerts.await(r -> key.equals(r.key()), 3)).extracting(ConsumerRecord::value)
                    .containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
        }
        assertThat(waiting(dataSource, key)).isZero();
        // The shared writer writes into the upgraded table, tombstones included.
        Transactions.inTransaction(dataSource, c -> {
            Outbox.add(c, ALERTS, key, null);
            return null;
        });
        assertThat(waiting(dataSource, key)).isEqualTo(1);
    }

    private static long waiting(DataSource dataSource, String key) {
        return Transactions.inTransaction(dataSource, c -> Transactions.one(c,
                "SELECT count(*) FROM outbox WHERE message_key = ?", row -> row.getLong(1), key).orElseThrow());
    }
}
