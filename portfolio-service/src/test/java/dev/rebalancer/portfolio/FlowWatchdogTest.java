package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.Evidence;
import dev.rebalancer.contracts.InitiatedFrom;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The flow watchdog (test profile: a request waits 3 s for its run, a run 3 s without news, checked every second).
 * No executor runs here: exactly the silence the watchdog is for. The simulator's market is open.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
class FlowWatchdogTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void a_request_no_executor_answers_is_told_once_naming_the_account_and_the_stage_and_an_answered_one_is_not() {
        String silent = "acct-" + UUID.randomUUID();
        String answered = "acct-" + UUID.randomUUID();
        String answeredRun = UUID.randomUUID().toString();
        String refused = "acct-" + UUID.randomUUID();
        try (KafkaProducer<String, String> producer = producer();
                TopicProbe alerts = new TopicProbe(bootstrap, Topics.ALERTS)) {
            send(producer, Topics.REBALANCE_REQUESTS, silent, request(silent, "deposit:" + UUID.randomUUID(),
                    UUID.randomUUID().toString(), List.of(Weight.asset("SPY", "100"))));
            // A run event answers this one (a run that has ended: no stall either).
            send(producer, Topics.REBALANCE_REQUESTS, answered, request(answered, "deposit:" + answeredRun, answeredRun,
                    List.of(Weight.asset("SPY", "100"))));
            send(producer, Topics.RUNS, answered, RunsConsumerTest.run(UUID.randomUUID().toString(), answered,
                    answeredRun, RunStatus.COMPLETED_SUCCESS, Instant.now(), List.of()));
            // Weights adding up to 90: the executor refuses it with an alert of its own; nothing to wait for.
            send(producer, Topics.REBALANCE_REQUESTS, refused, request(refused, "deposit:" + UUID.randomUUID(),
                    UUID.randomUUID().toString(), List.of(Weight.asset("SPY", "90"))));

            Alert alert = EventJson.read(alerts.await(r -> silent.equals(r.key()), 1).get(0).value(), Alert.class);
            assertThat(alert.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(alert.title()).isEqualTo("Rebalance request not picked up: invest_cash for account " + silent);
            assertThat(alert.detail()).contains("Stage: order executor");

            Awaitility.await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() ->
                    alerts.records(r -> silent.equals(r.key())).size() == 1
                            && alerts.records(r -> answered.equals(r.key()) || refused.equals(r.key())).isEmpty());
        }
    }

    @Test
    void a_run_with_no_news_while_the_market_is_open_is_told_once_naming_its_stage() {
        String account = "acct-" + UUID.randomUUID();
        String runId = UUID.randomUUID().toString();
        try (KafkaProducer<String, String> producer = producer();
                TopicProbe alerts = new TopicProbe(bootstrap, Topics.ALERTS)) {
            send(producer, Topics.RUNS, account, RunsConsumerTest.run(UUID.randomUUID().toString(), account, runId,
                    RunStatus.IN_PROGRESS, Instant.now(), List.of()));

            Alert alert = EventJson.read(alerts.await(r -> account.equals(r.key())
                    && r.value().contains("Run stalled"), 1).get(0).value(), Alert.class);
            assertThat(alert.title()).isEqualTo("Run stalled: invest_cash for account " + account);
            assertThat(alert.detail()).contains("Run " + runId + " is IN_PROGRESS").contains("while the market is open")
                    .contains("no longer reporting");
            Awaitility.await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(8)).until(() ->
                    alerts.records(r -> account.equals(r.key())).size() == 1);
        }
    }

    private KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap), new StringSerializer(),
                new StringSerializer());
    }

    private static void send(KafkaProducer<String, String> producer, String topic, String key, Object event) {
        try {
            producer.send(new ProducerRecord<>(topic, key, EventJson.write(event))).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static RebalanceRequest request(String account, String requestId, String runId, List<Weight> weights) {
        return new RebalanceRequest("request:" + requestId, account, Instant.now(), requestId, runId,
                RunType.INVEST_CASH, new BigDecimal("500.00"), Trigger.CASH_DEPOSIT,
                new Evidence("cash deposit", List.of()), "portfolio-1", weights, InitiatedFrom.SYSTEM);
    }
}
