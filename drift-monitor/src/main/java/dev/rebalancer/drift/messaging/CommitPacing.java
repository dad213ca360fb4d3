package dev.rebalancer.drift.messaging;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;

/**
 * When a stream thread asks for the commit that makes its rebalance requests readable (with exactly-once, a request is
 * read only once its transaction commits). The first request after a quiet spell is committed at once; those that
 * follow go with the next commit, asked for once the thread has processed for {@link #APART} since its last commit
 * ended: committing after each of a burst's requests would make the burst wait on one commit per deposit.
 * <p>
 * The pause counts from the end of a commit, as the thread's producer reports it ({@link #clients()}), not from when it
 * was asked for: on a busy machine a commit takes longer than the pause (250-400 ms with 200 accounts on 2 cores), and
 * counted from the ask every commit was asked for again by the first request after it, carrying that one request alone.
 * It is the thread's, not a task's: under exactly-once a thread commits all its tasks in one transaction, and a task
 * pacing itself alone would ask again for the commit another task's request just had. Each stream thread has its own
 * ({@link #ofThisThread()}), used by that thread only.
 */
public final class CommitPacing {

    /** How long a thread processes after a commit before asking for the next one for its requests. */
    static final Duration APART = Duration.ofMillis(200);

    private static final ThreadLocal<CommitPacing> THREADS = ThreadLocal.withInitial(CommitPacing::new);

    private long processingSinceMs = Long.MIN_VALUE / 2;
    private boolean waiting;
    private boolean asked;

    private CommitPacing() {
    }

    static CommitPacing ofThisThread() {
        return THREADS.get();
    }

    /** Requests were made: whether to ask for a commit now (otherwise they wait for {@link #due()}). */
    boolean requestsMade() {
        waiting = true;
        return due();
    }

    /** Whether requests wait, none was asked for yet and the pause has passed: then a commit is to be asked for now. */
    boolean due() {
        if (waiting && !asked && System.currentTimeMillis() - processingSinceMs >= APART.toMillis()) {
            asked = true;
            return true;
        }
        return false;
    }

    /** The thread's transaction committed (asked for or at the interval): whatever waited is readable now. */
    void committed() {
        processingSinceMs = System.currentTimeMillis();
        waiting = false;
        asked = false;
    }

    /** Kafka Streams' clients, with producers that tell their thread's pacing of each commit. */
    public static KafkaClientSupplier clients() {
        return new DefaultKafkaClientSupplier() {
            @Override
            public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
                return new PacedProducer(config);
            }
        };
    }

    /** A stream thread's producer: its transactions are committed on that thread, which then learns of it. */
    static class PacedProducer extends KafkaProducer<byte[], byte[]> {

        PacedProducer(Map<String, Object> config) {
            super(config, new ByteArraySerializer(), new ByteArraySerializer());
        }

        @Override
        public void commitTransaction() {
            super.commitTransaction();
            ofThisThread().committed();
        }
    }
}
