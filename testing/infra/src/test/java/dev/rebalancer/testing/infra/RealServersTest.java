package dev.rebalancer.testing.infra;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Exit;
import java.util.concurrent.TimeUnit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class RealServersTest {

    /** Without the broker's exit procedures replaced, the halt ends this JVM and the fork fails the build. */
    @Test
    void the_in_process_broker_cannot_end_the_jvm_it_runs_in() throws Exception {
        String servers = KafkaBroker.bootstrapServers();

        Exit.halt(1, "as when a broker's log directories fail");
        Exit.exit(1, "as when a broker's log directories fail");

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers))) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
        }
    }

    @Test
    void a_record_produced_to_the_broker_is_consumed_back() throws Exception {
        String topic = "infra-test-" + UUID.randomUUID();
        String servers = KafkaBroker.bootstrapServers();

        RecordMetadata written;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new StringSerializer())) {
            written = producer.send(new ProducerRecord<>(topic, "account-1", "{\"amount\":\"1000.00\"}")).get();
        }

        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.GROUP_ID_CONFIG, "infra-test",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return !received.isEmpty();
            });
        }

        assertThat(received).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("account-1");
            assertThat(record.value()).isEqualTo("{\"amount\":\"1000.00\"}");
            assertThat(record.offset()).isEqualTo(written.offset());
        });
    }

    @Test
    void the_broker_is_started_once_per_jvm() {
        assertThat(KafkaBroker.bootstrapServers()).isEqualTo(KafkaBroker.bootstrapServers()).startsWith("localhost:");
    }

    @Test
    void a_row_written_to_postgres_is_read_back() throws Exception {
        String url = PostgresServer.jdbcUrl("infra_test");

        try (Connection connection = DriverManager.getConnection(url, PostgresServer.USERNAME, PostgresServer.PASSWORD);
                Statement ddl = connection.createStatement()) {
            ddl.execute("CREATE TABLE IF NOT EXISTS deposits (id text PRIMARY KEY, amount numeric(19, 2) NOT NULL)");
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO deposits VALUES (?, ?)")) {
                insert.setString(1, "20261123093000123::8f0e5d3c");
                insert.setBigDecimal(2, new java.math.BigDecimal("1000.5"));
                insert.executeUpdate();
            }
            try (ResultSet rows = ddl.executeQuery("SELECT id, amount, version() FROM deposits")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("20261123093000123::8f0e5d3c");
                assertThat(rows.getBigDecimal(2)).isEqualByComparingTo("1000.50").hasScaleOf(2);
                assertThat(rows.getString(3)).startsWith("PostgreSQL 17");
                assertThat(rows.next()).isFalse();
            }
        }
    }

    @Test
    void each_database_name_gets_its_own_database() throws Exception {
        String a = PostgresServer.jdbcUrl("infra_a");
        String b = PostgresServer.jdbcUrl("infra_b");

        assertThat(a).isNotEqualTo(b).contains("/infra_a");
        try (Connection connection = DriverManager.getConnection(b, PostgresServer.USERNAME, PostgresServer.PASSWORD);
                ResultSet db = connection.createStatement().executeQuery("SELECT current_database()")) {
            db.next();
            assertThat(db.getString(1)).isEqualTo("infra_b");
        }
        assertThatThrownBy(() -> PostgresServer.jdbcUrl("x; DROP DATABASE postgres"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
