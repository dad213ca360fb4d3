package dev.rebalancer.drift.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.MarketCalendar;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.drift.config.DriftConfig;
import dev.rebalancer.runtime.KafkaClients;
import dev.rebalancer.runtime.Metrics;
import dev.rebalancer.testing.infra.KafkaBroker;
import dev.rebalancer.testing.infra.TopicProbe;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The drift monitor as the service runs it ({@link DriftStreams}), on a real broker, with an unreadable market calendar
 * on the calendar topic. Found by the soak (seed 1, 30 min): such a message was only logged, in no dead-letter topic;
 * and the first fix, which wrote the dead letter from the global thread through a producer made under the bean's lock,
 * deadlocked every drift monitor that started with the poison still on the topic — {@code KafkaStreams.start()}, called
 * under that lock, waits for the global thread, which since Kafka 3.8 runs the topic's records through the processor at
 * start — and the deposits of the accounts it held went uninvested.
 */
class CalendarPoisonTest {

    private static final String POISON = "{\"chaos_poison\": unreadable";

    @Test
    // The deadlock this guards against also holds the monitor's stop: fail, never hang the build.
    @Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void an_unreadable_calendar_is_dead_lettered_with_an_alert_and_a_monitor_starting_over_it_runs() throws Exception {
        // A broker of its own: the poison would reach every other drift monitor on the shared one.
        String name = "drift-calendar-" + UUID.randomUUID();
        Path stateDir = Files.createTempDirectory(name);
        try (KafkaBroker.Isolated broker = KafkaBroker.Isolated.start();
                KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                        broker.bootstrapServers()), new StringSerializer(), new StringSerializer());
                TopicProbe deadLetters = new TopicProbe(broker.bootstrapServers(), Topics.deadLetterOf(Topics.CALENDAR));
                TopicProbe alerts = new TopicProbe(broker.bootstrapServers(), Topics.ALERTS)) {
            // On the topic before the monitor starts: read by the global thread inside KafkaStreams.start().
            producer.send(new ProducerRecord<>(Topics.CALENDAR, MarketCalendar.KEY, POISON)).get();

            DriftStreams first = monitor(broker.bootstrapServers(), name, stateDir);
            try {
                Awaitility.await("the monitor runs over the poison").atMost(Duration.ofSeconds(60))
                        .until(first::running);
                assertThat(deadLetters.await(r -> POISON.equals(r.value()), 1)).as("the poison dead-lettered")
                        .isNotEmpty();

                // One that arrives while it runs: read by the global thread's loop.
                String second = POISON + " again";
                producer.send(new ProducerRecord<>(Topics.CALENDAR, MarketCalendar.KEY, second)).get();
                assertThat(deadLetters.await(r -> second.equals(r.value()), 1)).isNotEmpty();
            } finally {
                first.stop(null);
            }

            // Started again on the same state: it runs, whatever it reads again at start.
            DriftStreams again = monitor(broker.bootstrapServers(), name, stateDir);
            try {
                Awaitility.await("the restarted monitor runs").atMost(Duration.ofSeconds(60)).until(again::running);
            } finally {
                again.stop(null);
            }

            var told = alerts.readToEnd(r -> r.value().contains(Topics.CALENDAR)).stream()
                    .map(r -> EventJson.read(r.value(), Alert.class)).toList();
            assertThat(told).as("alerts of the calendar").isNotEmpty()
                    .allSatisfy(alert -> assertThat(alert.title()).isEqualTo("Unreadable " + Topics.CALENDAR
                            + " message dead-lettered"));
            assertThat(told.stream().map(Alert::eventId).distinct()).as("one event id for each poison, however often "
                    + "it was read (the notifier tells an event id once)").hasSize(2);
        }
    }

    private static DriftStreams monitor(String bootstrap, String name, Path stateDir) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(DriftConfig.class)
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withDefaultValues(Map.of("drift.application-id", name, "drift.state-dir", stateDir.toString()))
                .build();
        DriftStreams streams = new DriftStreams(config.getConfigMapping(DriftConfig.class),
                KafkaClients.of(Map.of("bootstrap.servers", bootstrap), name),
                new Metrics(new SimpleMeterRegistry()));
        streams.start(null);
        return streams;
    }
}
