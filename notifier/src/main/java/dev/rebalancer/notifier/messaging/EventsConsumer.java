package dev.rebalancer.notifier.messaging;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventFormatException;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.notifier.config.NotifierConfig;
import dev.rebalancer.notifier.delivery.NotificationStore;
import dev.rebalancer.notifier.delivery.Sender;
import dev.rebalancer.notifier.domain.Notification;
import dev.rebalancer.notifier.domain.Summaries;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Alerts, and runs in final states, become stored notifications (once per event id) before the event is acknowledged.
 * An unreadable event is itself a notification, and then goes to the topic's dead-letter topic (the channel's
 * failure strategy).
 */
@ApplicationScoped
public class EventsConsumer {

    private final NotificationStore store;
    private final Sender sender;
    private final boolean everyFinalRun;

    EventsConsumer(NotificationStore store, Sender sender, NotifierConfig config) {
        this.store = store;
        this.sender = sender;
        this.everyFinalRun = config.runSummaries() == NotifierConfig.RunSummaries.ALL;
    }

    @Incoming("alerts")
    @Blocking
    public void alert(ConsumerRecord<String, String> record) {
        try {
            store.add(Summaries.alert(EventJson.read(value(record), Alert.class)), Instant.now());
        } catch (EventFormatException e) {
            unreadable(record, e);
        }
        sender.wake();
    }

    @Incoming("runs")
    @Blocking
    public void run(ConsumerRecord<String, String> record) {
        try {
            Summaries.run(EventJson.read(value(record), RunEvent.class), everyFinalRun)
                    .ifPresent(summary -> store.add(summary, Instant.now()));
        } catch (EventFormatException e) {
            unreadable(record, e);
        }
        sender.wake();
    }

    private static String value(ConsumerRecord<String, String> record) {
        return record.value() == null ? "" : record.value();
    }

    private void unreadable(ConsumerRecord<String, String> record, EventFormatException e) {
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        store.add(new Notification("unreadable:" + where, Severity.WARNING, null, null,
                "Unreadable event dead-lettered", List.of(e.getMessage(), "From " + where + ", now on "
                        + record.topic() + ".dlq")), Instant.now());
        throw e;
    }
}
