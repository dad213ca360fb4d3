package dev.rebalancer.portfolio.messaging;

import dev.rebalancer.portfolio.config.PortfolioConfig;
import dev.rebalancer.portfolio.persistence.OutboxEntry;
import dev.rebalancer.runtime.ConsumerRetry;
import dev.rebalancer.runtime.StalledConsumerAlerts;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Publishes the outbox to Kafka in the order it was written, then deletes what Kafka acknowledged. A crash between
 * the two publishes a batch again: at least once, and consumers deduplicate on the event id. One instance relays at a
 * time (a PostgreSQL advisory lock), which keeps each key's events in order when the service is scaled out.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 200;
    private static final long RELAY_LOCK = 0x72656c6179L;

    private final EntityManager entityManager;
    private final org.apache.kafka.clients.producer.Producer<String, String> producer;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> new Thread(r, "outbox-relay"));
    private final AtomicBoolean pending = new AtomicBoolean();
    private final boolean enabled;

    OutboxRelay(EntityManager entityManager, dev.rebalancer.runtime.KafkaClients kafka, PortfolioConfig config) {
        this.entityManager = entityManager;
        this.enabled = config.outboxRelay();
        this.producer = kafka.outboxProducer();
    }

    /** Asks for a relay round soon, on the relay's own thread; rounds asked for meanwhile are one round. */
    void wake() {
        if (enabled && pending.compareAndSet(false, true)) {
            worker.execute(() -> {
                pending.set(false);
                relay();
            });
        }
    }

    /** The backstop: a round every second, for events whose wake-up was lost (a crash, Kafka away). */
    @Scheduled(every = "1s")
    void scheduled() {
        wake();
    }

    void relay() {
        try {
            while (publishBatch() == BATCH) {
                // keep going while there is a backlog
            }
        } catch (RuntimeException e) {
            LOG.warnf("outbox relay paused: %s; the events stay in the outbox and go out on the next try", e.getMessage());
        }
    }

    /** Publishes up to one batch; returns how many went out. */
    @Transactional
    public int publishBatch() {
        Boolean locked = (Boolean) entityManager.createNativeQuery("SELECT pg_try_advisory_xact_lock(?1)")
                .setParameter(1, RELAY_LOCK).getSingleResult();
        if (!Boolean.TRUE.equals(locked)) {
            return 0;
        }
        List<OutboxEntry> entries = OutboxEntry.find("order by id").page(0, BATCH).list();
        if (entries.isEmpty()) {
            return 0;
        }
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (OutboxEntry entry : entries) {
            sent.add(producer.send(new ProducerRecord<>(entry.topic, entry.messageKey, entry.payload)));
        }
        try {
            for (Future<RecordMetadata> ack : sent) {
                ack.get(20, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing the outbox", e);
        } catch (Exception e) {
            throw new IllegalStateException("Kafka did not acknowledge the outbox batch: " + e.getMessage(), e);
        }
        // Exactly the rows sent: a transaction still open may yet commit a row with a lower id.
        OutboxEntry.delete("id in ?1", entries.stream().map(entry -> entry.id).toList());
        return entries.size();
    }

    /** The relay's producer, for what goes to Kafka without announcing a database change (a dead letter's replay). */
    org.apache.kafka.clients.producer.Producer<String, String> producer() {
        return producer;
    }

    /** A stuck consumer's alarm goes out on the alerts topic directly, not through the outbox. */
    @Produces
    @ApplicationScoped
    ConsumerRetry.Alarm stalledConsumerAlarm() {
        return new StalledConsumerAlerts(Outbox.SOURCE, producer);
    }

    void close(@Observes ShutdownEvent event) {
        worker.shutdownNow();
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
