package dev.rebalancer.notifier.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** No bot token configured: each notification is one JSON line in the log, and nothing is lost for want of Telegram. */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "notifier"))
class LogModeTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void without_a_token_each_notification_is_written_to_the_log_as_one_json_line() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            public void flush() {
            }

            public void close() {
            }
        };
        Logger log = Logger.getLogger(Sender.NOTIFICATIONS_LOG.getName());
        log.addHandler(capture);
        String eventId = UUID.randomUUID().toString();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.ALERTS, "acct-log", EventJson.write(new Alert(eventId, "acct-log",
                    Instant.now(), Severity.CRITICAL, "Trading halted", "market turmoil", null, "test")))).get();

            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(l -> l.contains(eventId)));
        } finally {
            log.removeHandler(capture);
        }

        List<String> mine = lines.stream().filter(l -> l.contains(eventId)).toList();
        assertThat(mine).hasSize(1);
        assertThat(mine.get(0)).doesNotContain("\n");
        JsonNode json = new ObjectMapper().readTree(mine.get(0));
        assertThat(json.path("severity").asText()).isEqualTo("critical");
        assertThat(json.path("title").asText()).isEqualTo("Trading halted");
        assertThat(json.path("account_id").asText()).isEqualTo("acct-log");
        assertThat(json.path("lines").get(0).asText()).isEqualTo("market turmoil");
    }
}
