package dev.rebalancer.notifier.messaging;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventFormatException;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.notifier.config.NotifierConfig;
import dev.rebalancer.notifier.delivery.NotificationStore;
import dev.rebalancer.notifier.delivery.Sender;
import dev.rebalancer.notifier.domain.Notification;
import dev.rebalancer.notifier.domain.Summaries;
import dev.rebalancer.runtime.ConsumerRetry;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Alerts, and runs in final states, become stored notifications (once per event id) before the event is acknowledged.
 * An unreadable event is itself a notification, and then goes to the topic's dead-letter topic; any other failure
 * (the database away) is retried until the event is stored, its offset uncommitted meanwhile ({@link ConsumerRetry}).
 */
@ApplicationScoped
public class EventsConsumer {

    private final NotificationStore store;
    private final Sender sender;
    private final boolean everyFinalRun;
    private final ConsumerRetry retry;
    private final MutinyEmitter<String> deadLetter;

    private final dev.rebalancer.runtime.Metrics metrics;

    EventsConsumer(NotificationStore store, Sender sender, NotifierConfig config, ConsumerRetry retry,
            @Channel("dead-letters") MutinyEmitter<String> deadLetter, dev.rebalancer.runtime.Metrics metrics) {
        this.metrics = metrics;
        metrics.deadLetterTopics(List.of(Topics.ALERTS, Topics.RUNS));
        this.retry = retry;
        this.deadLetter = deadLetter;
        this.store = store;
        this.sender = sender;
        this.everyFinalRun = config.runSummaries() == NotifierConfig.RunSummaries.ALL;
    }

    @Incoming("alerts")
    @Blocking
    public void alert(ConsumerRecord<String, String> record) {
        forAccount(record, () -> retry.untilApplied("alerts", () -> {
            try {
                store.add(Summaries.alert(EventJson.read(value(record), Alert.class)), Instant.now());
            } catch (EventFormatException e) {
                unreadable(record, e);
            }
        }));
        sender.wake();
    }

    /** Work for the account the event is keyed by: its id in the MDC (the logs' {@code account_id}). */
    private static void forAccount(ConsumerRecord<String, String> record, Runnable work) {
        try (var context = dev.rebalancer.runtime.LogContext.account(record.key())) {
            work.run();
        }
    }

    /**
     * A run's event becomes a summary when the run ended as the setting asks to be told; the sender is woken only
     * then: most run events (queued, in progress, a success under {@code problems}) have nothing to send, and a
     * payday brings hundreds at once.
     */
    @Incoming("runs")
    @Blocking
    public void run(ConsumerRecord<String, String> record) {
        java.util.concurrent.atomic.AtomicBoolean stored = new java.util.concurrent.atomic.AtomicBoolean();
        forAccount(record, () -> retry.untilApplied("runs", () -> {
            try {
                Summaries.run(EventJson.read(value(record), RunEvent.class), everyFinalRun).ifPresent(summary -> {
                    store.add(summary, Instant.now());
                    stored.set(true);
                });
            } catch (EventFormatException e) {
                unreadable(record, e);
                stored.set(true);
            }
        }));
        if (stored.get()) {
            sender.wake();
        }
    }

    private static String value(ConsumerRecord<String, String> record) {
        return record.value() == null ? "" : record.value();
    }

    /**
     * Tells the owner (once per position: the notification's id is the topic, partition and offset), then puts the
     * message on the topic's dead-letter topic and waits for Kafka's acknowledgement; a failure of either is retried.
     */
    private void unreadable(ConsumerRecord<String, String> record, EventFormatException e) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        String deadLetters = Topics.deadLetterOf(record.topic());
        store.add(new Notification("unreadable:" + where, Severity.WARNING, null, null,
                "Unreadable event dead-lettered", List.of(e.getMessage(), "From " + where + " (key "
                        + (record.key() == null ? "none" : record.key()) + "), now on " + deadLetters)), Instant.now());
        deadLetter.sendMessageAndAwait(Message.of(value(record)).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withTopic(deadLetters).withKey(record.key())
                .withHeaders(new RecordHeaders().add(Topics.DEAD_LETTER_REASON,
                        String.valueOf(e.getMessage()).getBytes(StandardCharsets.UTF_8)))
                .build()));
        metrics.deadLettered(record.topic());
    }
}
