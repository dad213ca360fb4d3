package dev.rebalancer.executor.messaging;

import dev.rebalancer.executor.config.ExecutorConfig;
import dev.rebalancer.executor.runs.Db;
import dev.rebalancer.executor.runs.RunStore;
import dev.rebalancer.runtime.ConsumerRetry;
import dev.rebalancer.runtime.StalledConsumerAlerts;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * Publishes the outbox to Kafka in the order it was written, then deletes what Kafka acknowledged: at least once,
 * and consumers deduplicate on the event id. One instance relays at a time (a PostgreSQL advisory lock), which keeps
 * each account's events in order when the executor is scaled out. Woken after changes, and every 250 ms regardless.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final int BATCH = 200;
    private static final long RELAY_LOCK = 0x65786563L;
    private static final long BACKSTOP_MS = 250;

    private final Db db;
    private final org.apache.kafka.clients.producer.Producer<String, String> producer;
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "outbox-relay"));
    private final AtomicBoolean pending = new AtomicBoolean();
    private final boolean enabled;

    OutboxRelay(Db db, dev.rebalancer.runtime.KafkaClients kafka, ExecutorConfig config) {
        this.db = db;
        this.enabled = config.outboxRelay();
        this.producer = kafka.outboxProducer();
    }

    void start(@Observes StartupEvent event) {
        if (enabled) {
            worker.scheduleWithFixedDelay(this::relay, BACKSTOP_MS, BACKSTOP_MS, TimeUnit.MILLISECONDS);
        }
    }

    /** Asks for a relay round soon; rounds asked for meanwhile are one round. */
    public void wake() {
        if (enabled && pending.compareAndSet(false, true)) {
            worker.execute(() -> {
                pending.set(false);
                relay();
            });
        }
    }

    private void relay() {
        try {
            while (publishBatch() == BATCH) {
                // keep going while there is a backlog
            }
        } catch (RuntimeException e) {
            LOG.warnf("outbox relay paused: %s; the events stay in the outbox and go out on the next try", e.getMessage());
        }
    }

    private record Entry(long id, String topic, String key, String payload) {
    }

    /** Publishes up to one batch; returns how many went out. */
    int publishBatch() {
        return db.inTransaction(c -> {
            boolean locked = Db.one(c, "SELECT pg_try_advisory_xact_lock(?)", row -> row.getBoolean(1), RELAY_LOCK)
                    .orElse(false);
            if (!locked) {
                return 0;
            }
            List<Entry> entries = Db.query(c, "SELECT id, topic, key, payload FROM outbox ORDER BY id LIMIT " + BATCH,
                    row -> new Entry(row.getLong(1), row.getString(2), row.getString(3), row.getString(4)));
            if (entries.isEmpty()) {
                return 0;
            }
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (Entry entry : entries) {
                sent.add(producer.send(new ProducerRecord<>(entry.topic(), entry.key(), entry.payload())));
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
            Db.update(c, "DELETE FROM outbox WHERE id = ANY (?)", c.createArrayOf("bigint",
                    entries.stream().map(Entry::id).toArray()));
            return entries.size();
        });
    }

    /** A stuck consumer's alarm goes out on the alerts topic directly. */
    @Produces
    @ApplicationScoped
    ConsumerRetry.Alarm stalledConsumerAlarm() {
        return new StalledConsumerAlerts(RunStore.SOURCE, producer);
    }

    void close(@Observes ShutdownEvent event) {
        worker.shutdownNow();
        producer.close(java.time.Duration.ofSeconds(5));
    }
}
