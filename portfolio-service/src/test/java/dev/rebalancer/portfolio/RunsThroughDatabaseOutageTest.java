package dev.rebalancer.portfolio;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.InitiatedFrom;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.PostgresServer;
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
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * portfolio-service's database goes away while run updates arrive, and comes back: each update is recorded once,
 * none dead-lettered; readiness is DOWN meanwhile and an alert says which consumer is stuck.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
class RunsThroughDatabaseOutageTest {

    private static final String DATABASE = "portfolio";

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @AfterEach
    void reachable() {
        PostgresServer.reachable(DATABASE);
    }

    /**
     * A database restart or failover is no bug: the API says so with a 503 and {@code Retry-After} (Alpaca's error
     * shape), logs no stack trace, and works again once the database is back, with nothing changed meanwhile.
     */
    @Test
    void the_api_answers_503_with_retry_after_while_the_database_is_away() {
        String portfolio = Api.authorized().body(Api.balancedPortfolio("Outage")).when()
                .post("/v1/rebalancing/portfolios").then().statusCode(200).extract().path("id");

        PostgresServer.unreachable(DATABASE);
        Api.authorized().body("{\"name\":\"Renamed during the outage\"}").when()
                .patch("/v1/rebalancing/portfolios/" + portfolio).then().statusCode(503)
                .header("Retry-After", "5").body("code", equalTo(50310000))
                .body("message", equalTo("the database is unavailable just now; try again shortly"));
        Api.authorized().when().get("/v1/rebalancing/portfolios/" + portfolio).then().statusCode(503);

        PostgresServer.reachable(DATABASE);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> Api.authorized().when()
                .get("/v1/rebalancing/portfolios/" + portfolio).then().statusCode(200).body("name", equalTo("Outage")));
    }

    @Test
    void run_updates_that_arrive_while_the_database_is_away_are_recorded_once_it_returns() throws Exception {
        String account = "acct-" + UUID.randomUUID();
        String runId = UUID.randomUUID().toString();
        Instant start = Instant.parse("2026-11-23T14:30:00Z");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(), new StringSerializer());
                TopicProbe alerts = new TopicProbe(bootstrap, Topics.ALERTS);
                TopicProbe dlq = new TopicProbe(bootstrap, Topics.deadLetterOf(Topics.RUNS))) {
            PostgresServer.unreachable(DATABASE);
            for (RunStatus status : List.of(RunStatus.QUEUED, RunStatus.IN_PROGRESS, RunStatus.COMPLETED_SUCCESS)) {
                producer.send(new ProducerRecord<>(Topics.RUNS, account, EventJson.write(run(account, runId, status,
                        start.plusSeconds(status.ordinal()))))).get();
            }

            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> dev.rebalancer.testing.infra.Management.request().get("/q/health/ready")
                    .then().statusCode(503));
            alerts.await(r -> r.value().contains("portfolio-service cannot apply runs messages"), 1);

            PostgresServer.reachable(DATABASE);

            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    Api.authorized().when().get("/v1/rebalancing/runs/" + runId).then().statusCode(200)
                            .body("status", equalTo("COMPLETED_SUCCESS")));
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> dev.rebalancer.testing.infra.Management.request().get("/q/health/ready")
                    .then().statusCode(200));
            alerts.await(r -> r.value().contains("portfolio-service applies runs messages again"), 1);
            assertThat(Api.authorized().queryParam("account_id", account).when().get("/v1/rebalancing/runs")
                    .then().statusCode(200).extract().jsonPath().getList("runs.id")).containsExactly(runId);
            assertThat(dlq.readToEnd(r -> account.equals(r.key()))).as("dead-lettered run updates").isEmpty();
        }
    }

    private static RunEvent run(String accountId, String runId, RunStatus status, Instant at) {
        return new RunEvent(UUID.randomUUID().toString(), accountId, at, runId, "deposit:" + runId, null,
                RunType.INVEST_CASH, new BigDecimal("500.00"), InitiatedFrom.SYSTEM, Trigger.CASH_DEPOSIT, status, null,
                null, false, List.of(Weight.asset("SPY", "100")), List.of(), List.of(), List.of(), at, at,
                status.isFinal() ? at : null, null);
    }
}
