package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.InitiatedFrom;
import dev.rebalancer.contracts.PortfolioStatus;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.portfolio.alpaca.AssetReview;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
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
 * Alpaca's {@code needs_adjustment}: an asset of a portfolio delisted or no longer tradable turns the portfolio so,
 * its subscribers' queued runs are canceled, the drift monitor is told (it then queues nothing and holds deposits),
 * an alert names the asset and the portfolio, and a PATCH with tradable weights makes it active again.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(value = AlpacaSimResource.class, initArgs = @ResourceArg(name = "more-accounts", value = "adjust"))
class NeedsAdjustmentTest {

    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    AssetReview review;

    @Test
    void a_delisted_asset_turns_the_portfolio_needs_adjustment_until_a_patch_with_tradable_weights() throws Exception {
        SimAdminClient sim = new SimAdminClient(simulator);
        sim.asset("DLST", "50", true, true);
        String portfolio = Api.authorized().body("""
                {"name":"Soon delisted","description":"DLST goes away","weights":[
                 {"type":"asset","symbol":"DLST","percent":"50"},{"type":"asset","symbol":"SPY","percent":"50"}],
                 "cooldown_days":1}""").when().post("/v1/rebalancing/portfolios").then().statusCode(200)
                .extract().path("id");
        String account = Accounts.idOf("adjust");
        Api.authorized().body(Map.of("account_id", account, "portfolio_id", portfolio)).when()
                .post("/v1/rebalancing/subscriptions").then().statusCode(200);
        String queued = UUID.randomUUID().toString();
        Instant at = Instant.now();
        send(Topics.RUNS, account, EventJson.write(new RunEvent(UUID.randomUUID().toString(), account, at, queued,
                "drift:" + queued, portfolio, RunType.FULL_REBALANCE, null, InitiatedFrom.SYSTEM, Trigger.DRIFT_BAND,
                RunStatus.QUEUED, null, null, false, List.of(Weight.asset("DLST", "50"), Weight.asset("SPY", "50")),
                List.of(), List.of(), List.of(), at, at, null, null)));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                Api.authorized().when().get("/v1/rebalancing/runs/" + queued).then().statusCode(200));

        try (TopicProbe targets = new TopicProbe(bootstrap, Topics.TARGETS);
                TopicProbe requests = new TopicProbe(bootstrap, Topics.REBALANCE_REQUESTS);
                TopicProbe alerts = new TopicProbe(bootstrap, Topics.ALERTS)) {
            assertThat(review.review()).as("nothing to adjust while DLST trades").doesNotContain(
                    UUID.fromString(portfolio));
            sim.assetStatus("DLST", "50", "inactive", false);

            assertThat(review.review()).contains(UUID.fromString(portfolio));

            Api.authorized().when().get("/v1/rebalancing/portfolios/" + portfolio).then()
                    .body("status", equalTo("needs_adjustment"));
            TargetAllocation told = EventJson.read(targets.await(r -> account.equals(r.key()) && r.value() != null
                    && r.value().contains("needs_adjustment"), 1).get(0).value(), TargetAllocation.class);
            assertThat(told.portfolioStatus()).isEqualTo(PortfolioStatus.NEEDS_ADJUSTMENT);
            assertThat(requests.await(r -> account.equals(r.key()) && r.value().contains("run_cancellation")
                    && r.value().contains(queued), 1)).hasSize(1);
            Alert alert = EventJson.read(alerts.await(r -> r.value().contains(portfolio), 1).get(0).value(),
                    Alert.class);
            assertThat(alert.title()).contains("needs adjustment");
            assertThat(alert.detail()).contains("DLST", portfolio);
            assertThat(review.review()).as("told once").doesNotContain(UUID.fromString(portfolio));

            Api.authorized().body("{\"weights\":[{\"type\":\"asset\",\"symbol\":\"DLST\",\"percent\":\"100\"}]}")
                    .when().patch("/v1/rebalancing/portfolios/" + portfolio).then().statusCode(422);
            Api.authorized().body("""
                    {"weights":[{"type":"asset","symbol":"TLT","percent":"50"},
                     {"type":"asset","symbol":"SPY","percent":"50"}]}""")
                    .when().patch("/v1/rebalancing/portfolios/" + portfolio).then().statusCode(200)
                    .body("status", equalTo("active"));
            TargetAllocation active = EventJson.read(targets.await(r -> account.equals(r.key()) && r.value() != null
                    && r.value().contains("\"TLT\""), 1).get(0).value(), TargetAllocation.class);
            assertThat(active.portfolioStatus()).isEqualTo(PortfolioStatus.ACTIVE);
        } finally {
            Api.authorized().queryParam("account_id", account).when().get("/v1/rebalancing/subscriptions")
                    .then().extract().jsonPath().getList("subscriptions.id", String.class)
                    .forEach(id -> Api.authorized().when().delete("/v1/rebalancing/subscriptions/" + id));
        }
    }

    private void send(String topic, String key, String value) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, value)).get();
        }
    }
}
