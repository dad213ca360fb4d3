package dev.rebalancer.drift.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.PortfolioStatus;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.testing.infra.KafkaBroker;
import dev.rebalancer.testing.infra.TopicProbe;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Payday: many accounts' deposits at once. Each is answered with its request, but not each in a transaction of its own:
 * committing after every request made a burst of 50 wait on 50 commits in a row (6.7 s for the last one on the local
 * stack). Counted at the source, the producer's commits of transactions that carried requests. On a busy machine a
 * commit takes longer than the pause between prompt commits (250-400 ms with 200 accounts on 2 cores): the pause must
 * still leave time to process what arrived meanwhile, or every commit carries one request again.
 */
class BurstCommitTest {

    static final int ACCOUNTS = 40;

    /** Counts the transactions committed with at least one request in them; each commit as slow as asked. */
    static final class CountingCommits extends IsolatedDrift.WatchingProducer {
        static final AtomicInteger WITH_REQUESTS = new AtomicInteger();
        static volatile Duration commitTakes = Duration.ZERO;

        CountingCommits(Map<String, Object> config) {
            super(config);
        }

        @Override
        void committing(boolean withRequest) {
            try {
                // A broker on a loaded machine, as the bench saw it: the commit blocks the stream thread this long.
                Thread.sleep(commitTakes.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        void committed(boolean withRequest) {
            if (withRequest) {
                WITH_REQUESTS.incrementAndGet();
            }
        }
    }

    @Test
    void a_burst_of_deposits_is_answered_in_a_few_commits_not_one_per_request() throws Exception {
        burst(Duration.ZERO);
    }

    @Test
    void a_burst_is_answered_in_a_few_commits_when_each_commit_takes_longer_than_the_pause_between_them()
            throws Exception {
        burst(CommitPacing.APART.multipliedBy(3).dividedBy(2));
    }

    private static void burst(Duration commitTakes) throws Exception {
        CountingCommits.commitTakes = commitTakes;
        CountingCommits.WITH_REQUESTS.set(0);
        KafkaBroker.Isolated broker = KafkaBroker.Isolated.start();
        String bootstrap = broker.bootstrapServers();
        String run = UUID.randomUUID().toString();
        List<String> accounts = new ArrayList<>();
        for (int a = 0; a < ACCOUNTS; a++) {
            accounts.add(run + "-" + a);
        }

        try (broker; KafkaStreams streams = IsolatedDrift.streams(bootstrap, "drift-burst-" + run,
                CountingCommits::new);
                TopicProbe requests = new TopicProbe(bootstrap, Topics.REBALANCE_REQUESTS);
                KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(),
                        new StringSerializer())) {
            streams.start();
            Instant now = Instant.now();
            for (String account : accounts) {
                producer.send(new ProducerRecord<>(Topics.TARGETS, account, EventJson.write(new TargetAllocation(
                        UUID.randomUUID().toString(), account, now, "sub-" + account, "portfolio-1",
                        PortfolioStatus.ACTIVE, DriftTopologyTest.SIXTY_FORTY, List.of(), 0, null, now))));
            }
            producer.flush();
            for (String account : accounts) {
                producer.send(new ProducerRecord<>(Topics.CASH_DEPOSITS, account, EventJson.write(new CashDeposit(
                        "activity-" + account, account, now, "CSD", new BigDecimal("1000"), "USD"))));
            }
            producer.flush();

            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> requests
                    .records(r -> r.key() != null && r.key().startsWith(run)).size() >= ACCOUNTS);

            assertThat(requests.records(r -> r.key() != null && r.key().startsWith(run)))
                    .as("one request per deposit").hasSize(ACCOUNTS);
            assertThat(CountingCommits.WITH_REQUESTS.get()).as("transactions committed with requests in them")
                    .isPositive().isLessThanOrEqualTo(ACCOUNTS / 4);
        }
    }
}
