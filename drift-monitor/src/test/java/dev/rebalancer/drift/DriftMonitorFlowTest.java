package dev.rebalancer.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.PortfolioStatus;
import dev.rebalancer.contracts.PositionSnapshot;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.drift.messaging.DriftStreams;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The drift monitor on the real broker: events in, requests out, drift served, state surviving a restart. */
@QuarkusTest
@WithTestResource(KafkaResource.class)
class DriftMonitorFlowTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    DriftStreams streams;
    @Inject
    dev.rebalancer.drift.config.DriftConfig config;

    @Test
    void events_become_requests_the_drift_is_known_and_state_survives_a_restart_from_the_changelog() throws Exception {
        String account = UUID.randomUUID().toString();
        Instant now = Instant.now();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(streams::running);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer());
                TopicProbe requests = new TopicProbe(bootstrap, Topics.REBALANCE_REQUESTS)) {
            producer.send(new ProducerRecord<>(Topics.TARGETS, account, EventJson.write(new TargetAllocation(
                    UUID.randomUUID().toString(), account, now, "sub-" + account, "portfolio-1", PortfolioStatus.ACTIVE,
                    List.of(Weight.cash("5"), Weight.asset("SPY", "60"), Weight.asset("TLT", "35")), List.of(), 0, null,
                    now)))).get();
            producer.send(new ProducerRecord<>(Topics.POSITIONS, account, EventJson.write(new PositionSnapshot(
                    UUID.randomUUID().toString(), account, now, new BigDecimal("10000"), new BigDecimal("10000"),
                    new BigDecimal("10000"), List.of())))).get();
            String firstDeposit = "20261123093000123::" + UUID.randomUUID();
            producer.send(new ProducerRecord<>(Topics.CASH_DEPOSITS, account, deposit(firstDeposit, account, "1000.00")))
                    .get();

            List<RebalanceRequest> before = requestsOf(requests, account, 2);
            assertThat(before).extracting(RebalanceRequest::trigger)
                    .containsExactlyInAnyOrder(Trigger.SUBSCRIPTION_CREATED, Trigger.CASH_DEPOSIT);
            assertThat(before).filteredOn(r -> r.type() == RunType.INVEST_CASH).singleElement()
                    .extracting(RebalanceRequest::amount).isEqualTo(new BigDecimal("1000.00"));
            // Interactive queries answer only while the account's task is assigned and open here: a rebalance (a
            // previous test's member leaving, the changelogs being created) may close it for a moment.
            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(cashPercent(account)).isEqualTo("100.000000"));

            streams.restartFromChangelog();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(streams::running);

            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(cashPercent(account)).isEqualTo("100.000000"));
            String secondDeposit = "20261123093100456::" + UUID.randomUUID();
            producer.send(new ProducerRecord<>(Topics.CASH_DEPOSITS, account, deposit(firstDeposit, account, "1000.00")))
                    .get();
            producer.send(new ProducerRecord<>(Topics.CASH_DEPOSITS, account, deposit(secondDeposit, account, "50.00")))
                    .get();

            List<RebalanceRequest> after = requestsOf(requests, account, 3);
            Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> requests.records(r -> account.equals(r.key())).size() == 3);
            assertThat(after).extracting(RebalanceRequest::requestId).doesNotHaveDuplicates()
                    .contains("deposit:" + firstDeposit, "deposit:" + secondDeposit);
        }
        assertThat(streams.account(UUID.randomUUID().toString())).isEmpty();
    }

    /** The cash weight's current percent in the account's state as the store holds it (restored or not). */
    private String cashPercent(String account) {
        var held = streams.account(account);
        assertThat(held).as("the account's state in this instance's stores").isPresent();
        var state = held.get();
        var report = DriftStreams.rules(config).driftOf(state).orElseThrow();
        assertThat(report.lines()).hasSize(3);
        assertThat(report.lines().get(1).drift().symbol()).isEqualTo("SPY");
        return report.lines().get(0).drift().currentPercent().toPlainString();
    }

    private static String deposit(String id, String account, String amount) {
        return EventJson.write(new CashDeposit(id, account, Instant.now(), "CSD", new BigDecimal(amount), "USD"));
    }

    private static List<RebalanceRequest> requestsOf(TopicProbe probe, String account, int count) {
        List<ConsumerRecord<String, String>> records = probe.await(r -> account.equals(r.key()), count);
        return records.stream().map(r -> EventJson.read(r.value(), RebalanceRequest.class)).toList();
    }
}
