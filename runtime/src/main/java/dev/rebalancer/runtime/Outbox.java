package dev.rebalancer.runtime;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;

/**
 * The one outbox of the services with a database: events written in the transaction of the change they announce
 * ({@link #add}), into one table definition (each service's Flyway migrations create it alike):
 *
 * <pre>
 * outbox (id bigserial primary key, topic text not null, message_key text not null,
 *         payload text (null: a tombstone), created_at timestamptz not null default now())
 * </pre>
 *
 * and published by a {@link Relay}.
 */
public final class Outbox {

    private Outbox() {
    }

    /** Writes an event on the caller's connection, in its transaction; a null payload is a tombstone. */
    public static void add(Connection c, String topic, String key, String payload) throws SQLException {
        Transactions.update(c, "INSERT INTO outbox (topic, message_key, payload) VALUES (?, ?, ?)", topic, key, payload);
    }

    /**
     * Publishes the outbox to Kafka in the order it was written, then deletes exactly what Kafka acknowledged: at least
     * once, and consumers deduplicate on the event id. One instance of a service relays at a time (a PostgreSQL
     * advisory lock), which keeps each key's events in order when the service is scaled out. Woken after each commit
     * that wrote an event, and every {@code backstop} regardless (a wake-up lost to a crash, Kafka away).
     */
    public static final class Relay implements AutoCloseable {

        private static final Logger LOG = Logger.getLogger(Relay.class);
        static final int BATCH = 200;

        private final DataSource dataSource;
        private final Producer<String, String> producer;
        private final long lock;
        private final boolean enabled;
        private final WorkerLoop loop;
        private volatile Published published = (topic, payload, writtenAt) -> { };

        /** Told of each event Kafka acknowledged: its topic, payload and when it was written to the outbox. */
        public interface Published {
            void published(String topic, String payload, java.time.Instant writtenAt);
        }

        /**
         * @param service  the service whose outbox this is (names the advisory lock its instances share)
         * @param enabled  whether it publishes by itself; off only in tests that look at unpublished events
         */
        public Relay(DataSource dataSource, Producer<String, String> producer, String service, boolean enabled,
                Duration backstop) {
            this.dataSource = dataSource;
            this.producer = producer;
            this.lock = ("outbox-relay:" + service).hashCode();
            this.enabled = enabled;
            this.loop = new WorkerLoop("outbox-relay", backstop, this::relay);
        }

        /** Whom to tell of each event published (one listener; a metric of the service's). */
        public void onPublished(Published listener) {
            this.published = listener;
        }

        /** Starts the backstop rounds. */
        public void start() {
            if (enabled) {
                loop.start();
            }
        }

        /** Asks for a relay round soon, on the relay's own thread; rounds asked for meanwhile are one round. */
        public void wake() {
            if (enabled) {
                loop.wake();
            }
        }

        /** One batch a round, and another round at once while there is a backlog. */
        private void relay() {
            try {
                if (publishBatch() == BATCH) {
                    loop.wake();
                }
            } catch (RuntimeException e) {
                LOG.warnf("outbox relay paused: %s; the events stay in the outbox and go out on the next try",
                        e.getMessage());
            }
        }

        private record Entry(long id, String topic, String key, String payload, java.time.Instant writtenAt) {
        }

        /** Publishes up to one batch; returns how many went out (none while another instance relays). */
        public int publishBatch() {
            return Transactions.inTransaction(dataSource, c -> {
                if (!Transactions.one(c, "SELECT pg_try_advisory_xact_lock(?)", row -> row.getBoolean(1), lock)
                        .orElse(false)) {
                    return 0;
                }
                List<Entry> entries = Transactions.query(c, "SELECT id, topic, message_key, payload, created_at"
                        + " FROM outbox ORDER BY id LIMIT " + BATCH, row -> new Entry(row.getLong(1),
                                row.getString(2), row.getString(3), row.getString(4), Transactions.instant(row, "created_at")));
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
                Transactions.update(c, "DELETE FROM outbox WHERE id = ANY (?)", c.createArrayOf("bigint",
                        entries.stream().map(Entry::id).toArray()));
                for (Entry entry : entries) {
                    try {
                        published.published(entry.topic(), entry.payload(), entry.writtenAt());
                    } catch (RuntimeException e) {
                        LOG.debugf("publish listener failed: %s", e.getMessage()); // a metric missed, nothing else
                    }
                }
                return entries.size();
            });
        }

        /** The relay's producer, for what goes to Kafka without announcing a database change (alarms, replays). */
        public Producer<String, String> producer() {
            return producer;
        }

        @Override
        public void close() {
            loop.close();
            producer.close(Duration.ofSeconds(5));
        }
    }
}
