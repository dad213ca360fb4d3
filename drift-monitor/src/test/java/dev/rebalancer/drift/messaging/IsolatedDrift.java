package dev.rebalancer.drift.messaging;

import dev.rebalancer.contracts.Topics;
import dev.rebalancer.drift.config.DriftConfig;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The drift monitor's Kafka Streams application as the service builds it (default settings), on a broker a test
 * started for itself, with a producer of the test's in place of Kafka Streams' own: how tests watch its transactions.
 */
final class IsolatedDrift {

    private IsolatedDrift() {
    }

    /** The application, not yet started, under an application id and state directory of its own. */
    static KafkaStreams streams(String bootstrap, String name,
            Function<Map<String, Object>, Producer<byte[], byte[]>> producers) {
        try {
            SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(DriftConfig.class)
                    .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                    .withDefaultValues(Map.of("drift.application-id", name,
                            "drift.state-dir", Files.createTempDirectory(name).toString()))
                    .build();
            DriftConfig drift = config.getConfigMapping(DriftConfig.class);
            return new KafkaStreams(DriftTopology.build(DriftStreams.rules(drift), drift.tickInterval(),
                    DriftTopology.MarketDeadLetters.FAIL),
                    DriftStreams.properties(drift, Map.of("bootstrap.servers", bootstrap)),
                    new org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier() {
                        @Override
                        public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
                            return producers.apply(config);
                        }
                    });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A stream thread's producer as the service's (it tells the thread's pacing of each commit), that knows, at each
     * commit, whether the transaction carries a rebalance request.
     */
    abstract static class WatchingProducer extends CommitPacing.PacedProducer {
        private volatile boolean requestSent;

        WatchingProducer(Map<String, Object> config) {
            super(config);
        }

        @Override
        public java.util.concurrent.Future<RecordMetadata> send(ProducerRecord<byte[], byte[]> record,
                Callback callback) {
            if (record.topic().equals(Topics.REBALANCE_REQUESTS)) {
                requestSent = true;
            }
            return super.send(record, callback);
        }

        @Override
        public void commitTransaction() {
            boolean withRequest = requestSent;
            requestSent = false;
            committing(withRequest);
            super.commitTransaction();
            committed(withRequest);
        }

        /** Before the commit; throwing fails it. */
        void committing(boolean withRequest) {
        }

        /** After the commit succeeded. */
        void committed(boolean withRequest) {
        }
    }
}
