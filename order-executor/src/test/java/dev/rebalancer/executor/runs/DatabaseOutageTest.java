package dev.rebalancer.executor.runs;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.TradingHalt;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.PostgresServer;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The executor's database goes away mid-stream (connections refused, open ones terminated) and comes back: every
 * request and control message that arrived meanwhile is applied once, none is dead-lettered, the halt sent during the
 * outage holds, readiness is DOWN while the consumers cannot make progress and an alert says so.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "executor"))
@WithTestResource(AlpacaSimResource.class)
class DatabaseOutageTest {

    private static final String DATABASE = "executor";

    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @jakarta.inject.Inject
    Db db;

    Harness harness;

    @BeforeEach
    void setUp() {
        harness = new Harness(simulator, bootstrap);
        // The halt below must be the only control message the outage holds back: the harness's "not halted" first.
        harness.awaitResumeApplied(db);
    }

    @AfterEach
    void tearDown() throws Exception {
        PostgresServer.reachable(DATABASE);
        harness.sendRaw(Topics.CONTROL, TradingHalt.KEY, EventJson.write(new TradingHalt(
                UUID.randomUUID().toString(), Instant.now(), false, null)));
        harness.close();
    }

    @Test
    void a_halt_and_a_request_sent_while_the_database_is_away_are_applied_once_it_returns_and_the_halt_holds()
            throws Exception {
        String account = harness.account("exec-t28", "10000");
        try (TopicProbe requestsDlq = new TopicProbe(bootstrap, Topics.deadLetterOf(Topics.REBALANCE_REQUESTS));
                TopicProbe controlDlq = new TopicProbe(bootstrap, Topics.deadLetterOf(Topics.CONTROL))) {
            PostgresServer.unreachable(DATABASE);
            String halt = UUID.randomUUID().toString();
            harness.sendRaw(Topics.CONTROL, TradingHalt.KEY, EventJson.write(new TradingHalt(halt,
                    Instant.now(), true, "halted during the outage")));
            RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "1000",
                    RunExecutionTest.SPY_ONLY);
            harness.send(request, account);
            harness.send(request, account);

            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> dev.rebalancer.testing.infra.Management.request().get("/q/health/ready")
                    .then().statusCode(503));
            harness.alerts.await(r -> r.value().contains("cannot apply control messages"), 1);
            harness.alerts.await(r -> r.value().contains("cannot apply rebalance-requests messages"), 1);

            PostgresServer.reachable(DATABASE);

            harness.alerts.await(r -> r.value().contains("Trading halted")
                    && r.value().contains("halted during the outage"), 1);
            harness.awaitStatus(request.runId(), RunStatus.QUEUED);
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> dev.rebalancer.testing.infra.Management.request().get("/q/health/ready")
                    .then().statusCode(200));
            harness.alerts.await(r -> r.value().contains("applies control messages again"), 1);
            Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                    harness.orders("exec-t28").isEmpty());

            harness.sendRaw(Topics.CONTROL, TradingHalt.KEY, EventJson.write(new TradingHalt(
                    UUID.randomUUID().toString(), Instant.now(), false, null)));
            RunEvent done = harness.awaitFinal(request.runId(), RunExecutionTest.RUN_TIME);

            assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
            assertThat(harness.orders("exec-t28")).hasSize(1);
            assertThat(harness.events(request.runId())).filteredOn(e -> e.status() == RunStatus.QUEUED).hasSize(1);
            assertThat(requestsDlq.readToEnd(r -> account.equals(r.key()))).as("dead-lettered requests").isEmpty();
            assertThat(controlDlq.readToEnd(r -> r.value().contains(halt))).as("dead-lettered control messages").isEmpty();
        }
    }
}
