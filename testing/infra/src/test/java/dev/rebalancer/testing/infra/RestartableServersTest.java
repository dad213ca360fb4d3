package dev.rebalancer.testing.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak's Kafka and PostgreSQL: processes of their own that come back in place, with what they had, after a kill. */
class RestartableServersTest {

    @TempDir
    Path dir;

    @Test
    void a_killed_broker_comes_back_on_its_port_with_its_topics_records_and_committed_offsets() throws Exception {
        String topic = "soak-topic";
        KafkaProcess broker = KafkaProcess.in(dir.resolve("kafka")).start();
        String servers = broker.bootstrapServers();
        try (Admin admin = admin(servers)) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = producer(servers)) {
            for (int i = 0; i < 6; i++) {
                producer.send(new ProducerRecord<>(topic, "account-" + i, "before-" + i)).get(30, TimeUnit.SECONDS);
            }
            try (KafkaConsumer<String, String> consumer = consumer(servers, "soak-group")) {
                consumer.subscribe(List.of(topic));
                List<ConsumerRecord<String, String>> first = new ArrayList<>();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(first::add);
                    return first.size() == 6;
                });
                consumer.commitSync(Duration.ofSeconds(30));
            }

            broker.kill();
            assertThat(broker.running()).isFalse();
            broker.start();

            // The same address; the producer made before the kill reconnects by itself.
            assertThat(broker.bootstrapServers()).isEqualTo(servers);
            producer.send(new ProducerRecord<>(topic, "account-0", "after")).get(60, TimeUnit.SECONDS);
        }

        try (Admin admin = admin(servers)) {
            assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                    .partitions()).hasSize(3);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets("soak-group")
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(6);
        }
        // The group resumes after what it committed: only the record written after the restart.
        try (KafkaConsumer<String, String> consumer = consumer(servers, "soak-group")) {
            consumer.subscribe(List.of(topic));
            List<String> values = new ArrayList<>();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                return !values.isEmpty();
            });
            assertThat(values).containsExactly("after");
        }
        // A controlled stop, and the same directory opened anew (as by another launcher): the same broker, all records.
        broker.stop();
        KafkaProcess again = KafkaProcess.in(dir.resolve("kafka")).start();
        try {
            assertThat(again.bootstrapServers()).isEqualTo(servers);
            try (KafkaConsumer<String, String> consumer = consumer(servers, "another-group")) {
                consumer.subscribe(List.of(topic));
                List<String> values = new ArrayList<>();
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(r.value()));
                    return values.size() >= 7;
                });
                assertThat(values).hasSize(7).contains("before-0", "before-5", "after");
            }
        } finally {
            again.close();
        }
    }

    /**
     * Every commit PostgreSQL acknowledged before the kill is there after it. With the embedded server's default
     * ({@code synchronous_commit = off}) the last ones are acknowledged before they reach the log, and a kill loses them.
     */
    @Test
    void a_killed_database_comes_back_on_its_port_with_every_acknowledged_commit() throws Exception {
        PostgresProcess postgres = PostgresProcess.in(dir.resolve("postgres")).start();
        int port = postgres.port();
        String url = postgres.jdbcUrl("soak");
        int commits = 500;
        try (Connection connection = connect(url); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE deposits (id INT PRIMARY KEY, padding TEXT)");
            for (int i = 0; i < commits; i++) { // one transaction each (autocommit), each acknowledged
                statement.execute("INSERT INTO deposits VALUES (" + i + ", repeat('x', 2000))");
            }
            postgres.kill();
        }
        assertThat(postgres.running()).isFalse();
        assertThatThrownBy(() -> connect(url).close()).isInstanceOf(SQLException.class);

        postgres.start();
        assertThat(postgres.port()).isEqualTo(port);
        assertThat(count(url)).isEqualTo(commits);

        // A controlled stop and the directory opened anew: the same port, the same rows.
        try (Connection connection = connect(url); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO deposits VALUES (" + commits + ", 'after the restart')");
        }
        postgres.stop();
        PostgresProcess again = PostgresProcess.in(dir.resolve("postgres")).start();
        try {
            assertThat(again.port()).isEqualTo(port);
            assertThat(count(again.jdbcUrl("soak"))).isEqualTo(commits + 1);
        } finally {
            again.close();
        }
    }

    private static long count(String url) throws SQLException {
        try (Connection connection = connect(url); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM deposits")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url, PostgresServer.USERNAME, PostgresServer.PASSWORD);
    }

    private static Admin admin(String servers) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers));
    }

    private static KafkaProducer<String, String> producer(String servers) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000),
                new StringSerializer(), new StringSerializer());
    }

    private static KafkaConsumer<String, String> consumer(String servers, String group) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                new StringDeserializer(), new StringDeserializer());
    }
}
