package dev.rebalancer.drift.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.PortfolioStatus;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.testing.infra.KafkaBroker;
import dev.rebalancer.testing.infra.TopicProbe;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
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
    static final class FailingOnce extends IsolatedDrift.WatchingProducer {
        static final AtomicBoolean FAILED = new AtomicBoolean();

        FailingOnce(Map<String, Object> config) {
            super(config);
        }

        @Override
        void committing(boolean withRequest) {
            if (withRequest && FAILED.compareAndSet(false, true)) {
                throw new TimeoutException("injected: the commit of the transaction with the request timed out");
            }
        }
    }

    @Test
    void a_deposit_whose_transaction_aborted_is_invested_once_after_the_task_is_revived() throws Exception {
        // A broker of its own: the drift monitor of this JVM's Quarkus tests reads the shared broker's inputs too, and
        // would answer the same deposit with the same request.
        KafkaBroker.Isolated broker = KafkaBroker.Isolated.start();
        String bootstrap = broker.bootstrapServers();
        String account = UUID.randomUUID().toString();
        try (broker; KafkaStreams streams = IsolatedDrift.streams(bootstrap, "drift-aborted-" + account,
                FailingOnce::new);
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
