package dev.rebalancer.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.PortfolioStatus;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.drift.messaging.DriftStreams;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A request is readable (read committed) as soon as it is made, not at the next commit interval: the drift monitor
 * commits at once when it publishes one. The interval here is a minute, longer than the probe waits, so only that
 * commit can deliver it in time.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@TestProfile(RequestsCommitPromptlyTest.LongCommitInterval.class)
class RequestsCommitPromptlyTest {

    public static class LongCommitInterval implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("drift.commit-interval", "60s", "drift.application-id", "drift-monitor-prompt",
                    "drift.state-dir", "target/kafka-streams-state-prompt");
        }
    }

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    DriftStreams streams;

    @Test
    void a_deposit_request_is_committed_at_once_not_at_the_commit_interval() throws Exception {
        String account = UUID.randomUUID().toString();
        Instant now = Instant.now();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(streams::running);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer());
                TopicProbe requests = new TopicProbe(bootstrap, Topics.REBALANCE_REQUESTS)) {
            producer.send(new ProducerRecord<>(Topics.TARGETS, account, EventJson.write(new TargetAllocation(
                    UUID.randomUUID().toString(), account, now, "sub-" + account, "portfolio-1", PortfolioStatus.ACTIVE,
                    List.of(Weight.cash("5"), Weight.asset("SPY", "95")), List.of(), 0, null, now)))).get();
            String deposit = "20261123093000123::" + UUID.randomUUID();
            producer.send(new ProducerRecord<>(Topics.CASH_DEPOSITS, account, EventJson.write(new CashDeposit(deposit,
                    account, now, "CSD", new BigDecimal("500.00"), "USD")))).get();

            RebalanceRequest request = EventJson.read(requests.await(r -> account.equals(r.key())
                    && r.value().contains(deposit), 1).get(0).value(), RebalanceRequest.class);
            assertThat(request.requestId()).isEqualTo("deposit:" + deposit);
            assertThat(request.amount()).isEqualByComparingTo("500.00");
        }
    }
}
