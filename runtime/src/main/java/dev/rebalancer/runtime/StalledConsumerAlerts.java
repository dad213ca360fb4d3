package dev.rebalancer.runtime;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The alarm of a service that publishes alerts: straight to the alerts topic, not through the outbox, since what keeps
 * the consumer stuck is usually the database the outbox lives in.
 */
public final class StalledConsumerAlerts implements ConsumerRetry.Alarm {

    private final String source;
    private final Producer<String, String> producer;

    /** Alerts in the name of the source service, sent with the producer of its outbox relay. */
    public StalledConsumerAlerts(String source, Producer<String, String> producer) {
        this.source = source;
        this.producer = producer;
    }

    @Override
    public void stalled(String channel, Duration stalledFor, String error) {
        send(Severity.CRITICAL, source + " cannot apply " + channel + " messages",
                "No progress for " + seconds(stalledFor) + "; the messages wait, uncommitted, and are applied when"
                        + " this clears. Last error: " + error);
    }

    @Override
    public void recovered(String channel, Duration stalledFor) {
        send(Severity.INFO, source + " applies " + channel + " messages again",
                "After " + seconds(stalledFor) + " without progress; nothing was skipped.");
    }

    private void send(Severity severity, String title, String detail) {
        String alert = EventJson.write(new Alert(UUID.randomUUID().toString(), null, Instant.now(), severity, title,
                detail, null, source));
        try {
            producer.send(new ProducerRecord<>(Topics.ALERTS, "", alert)).get(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending an alert", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not acknowledge the alert: " + e.getMessage(), e);
        }
    }

    private static String seconds(Duration duration) {
        return duration.toSeconds() + " s";
    }
}
