package dev.rebalancer.drift.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.PortfolioStatus;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.drift.config.DriftConfig;
import dev.rebalancer.rules.drift.DriftRules;
import dev.rebalancer.testing.infra.KafkaBroker;
import dev.rebalancer.testing.infra.TopicProbe;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.internals.DefaultKafkaClientSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The drift monitor on a real broker, exactly once, with a producer whose first commit of a transaction holding a
 * rebalance request times out. Kafka Streams 4.2.1 answers a {@link TimeoutException} from {@code commitTransaction}
 * by marking the tasks it was committing corrupted ({@code TaskExecutor.commitOffsetsOrTransaction} throws
 * {@code TaskCorruptedException}); {@code TaskManager.handleCorruption} then closes the task dirty, wipes and
 * restores its stores, and revives the same task object — the same processor instances, initialized again — to replay
 * its input from its last committed offsets. (A fenced producer instead loses the tasks, which are created anew.) The
 * deposit must be invested all the same: exactly one {@code invest_cash} request, committed.
 */
class AbortedCommitTest {

    /** A producer that fails its first commit of a transaction that sent a rebalance request, before committing. */
    static final class FailingOnce extends KafkaProducer<byte[], byte[]> {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private volatile boolean requestSent;

        FailingOnce(Map<String, Object> config) {
            super(config, new ByteArraySerializer(), new ByteArraySerializer());
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
            if (requestSent && FAILED.compareAndSet(false, true)) {
                requestSent = false;
                throw new TimeoutException("injected: the commit of the transaction with the request timed out");
            }
            requestSent = false;
            super.commitTransaction();
        }
    }

    @Test
    void a_deposit_whose_transaction_aborted_is_invested_once_after_the_task_is_revived() throws Exception {
        // A broker of its own: the drift monitor of this JVM's Quarkus tests reads the shared broker's inputs too, and
        // would answer the same deposit with the same request.
        KafkaBroker.Isolated broker = KafkaBroker.Isolated.start();
        String bootstrap = broker.bootstrapServers();
        String account = UUID.randomUUID().toString();
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(DriftConfig.class)
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withDefaultValues(Map.of("drift.application-id", "drift-aborted-" + account,
                        "drift.state-dir", Files.createTempDirectory("drift-aborted").toString()))
                .build();
        DriftConfig drift = config.getConfigMapping(DriftConfig.class);
        DriftRules rules = DriftStreams.rules(drift);
        Properties properties = DriftStreams.properties(drift, java.util.Map.of("bootstrap.servers", bootstrap));

        try (broker; KafkaStreams streams = new KafkaStreams(DriftTopology.build(rules, drift.tickInterval()), properties,
                new DefaultKafkaClientSupplier() {
                    @Override
                    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
                        return new FailingOnce(config);
                    }
                });
                TopicProbe requests = new TopicProbe(bootstrap, Topics.REBALANCE_REQUESTS);
                KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(),
                        new StringSerializer())) {
            streams.start();
            Instant now = Instant.now();
            producer.send(new ProducerRecord<>(Topics.TARGETS, account, EventJson.write(new TargetAllocation(
                    UUID.randomUUID().toString(), account, now, "sub-" + account, "portfolio-1",
                    PortfolioStatus.ACTIVE, DriftTopologyTest.SIXTY_FORTY, List.of(), 0, null, now)))).get();
            String depositId = "activity-" + account;
            producer.send(new ProducerRecord<>(Topics.CASH_DEPOSITS, account, EventJson.write(new CashDeposit(
                    depositId, account, now, "CSD", new BigDecimal("1000"), "USD")))).get();

            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> requests
                    .records(r -> account.equals(r.key()) && r.value().contains(depositId)).size() >= 1);
            Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> requests
                    .records(r -> account.equals(r.key()) && r.value().contains(depositId)).size() == 1);

            assertThat(FailingOnce.FAILED).as("the commit with the request failed once").isTrue();
            RebalanceRequest request = EventJson.read(requests.records(r -> account.equals(r.key())
                    && r.value().contains(depositId)).get(0).value(), RebalanceRequest.class);
            assertThat(request.type()).isEqualTo(RunType.INVEST_CASH);
            assertThat(request.amount()).isEqualByComparingTo("1000");
        }
    }
}
