package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.InitiatedFrom;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.SkippedOrder;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.testing.infra.AlpacaContract;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
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
 * Every rebalancing endpoint, answered by the running service, checked against the {@code /v1/rebalancing/*} schemas
 * of Alpaca's published Broker API document: what a client of Alpaca's rebalancer parses, it finds here.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(value = AlpacaSimResource.class, initArgs = @ResourceArg(name = "more-accounts", value = "contract"))
class RebalancingContractTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void portfolios_and_subscriptions_follow_the_broker_api_document() {
        AlpacaContract broker = AlpacaContract.broker();
        String created = Api.authorized().body(Api.balancedPortfolio("Contract")).when()
                .post("/v1/rebalancing/portfolios").then().statusCode(200).extract().asString();
        broker.assertAnswer("POST", "/v1/rebalancing/portfolios", 200, created);
        String id = JsonPath.from(created).getString("id");
        String bare = Api.authorized().body("""
                {"name":"No description","weights":[{"type":"asset","symbol":"SPY","percent":100}],
                 "cooldown_days":1}""").when().post("/v1/rebalancing/portfolios").then().statusCode(200)
                .extract().asString();
        broker.assertAnswer("POST", "/v1/rebalancing/portfolios", 200, bare);

        broker.assertAnswer("GET", "/v1/rebalancing/portfolios", 200, Api.authorized().when()
                .get("/v1/rebalancing/portfolios").then().statusCode(200).extract().asString());
        broker.assertAnswer("GET", "/v1/rebalancing/portfolios/{portfolio_id}", 200, Api.authorized().when()
                .get("/v1/rebalancing/portfolios/" + id).then().statusCode(200).extract().asString());
        broker.assertAnswer("PATCH", "/v1/rebalancing/portfolios/{portfolio_id}", 200, Api.authorized()
                .body("{\"rebalance_conditions\":[{\"type\":\"calendar\",\"sub_type\":\"monthly\",\"day\":\"15\"}]}")
                .when().patch("/v1/rebalancing/portfolios/" + id).then().statusCode(200).extract().asString());

        String account = Accounts.idOf("contract");
        String subscription = Api.authorized().body(Map.of("account_id", account, "portfolio_id", id)).when()
                .post("/v1/rebalancing/subscriptions").then().statusCode(200).extract().asString();
        broker.assertAnswer("POST", "/v1/rebalancing/subscriptions", 200, subscription);
        String subscriptionId = JsonPath.from(subscription).getString("id");
        broker.assertAnswer("GET", "/v1/rebalancing/subscriptions", 200, Api.authorized().queryParam("limit", 1)
                .when().get("/v1/rebalancing/subscriptions").then().statusCode(200).extract().asString());
        broker.assertAnswer("GET", "/v1/rebalancing/subscriptions/{subscription_id}", 200, Api.authorized().when()
                .get("/v1/rebalancing/subscriptions/" + subscriptionId).then().statusCode(200).extract().asString());

        Api.authorized().when().delete("/v1/rebalancing/subscriptions/" + subscriptionId).then().statusCode(204);
        Api.authorized().when().delete("/v1/rebalancing/portfolios/" + id).then().statusCode(204);
    }

    @Test
    void runs_with_every_kind_of_order_follow_the_broker_api_document() throws Exception {
        AlpacaContract broker = AlpacaContract.broker();
        String account = Accounts.idOf("contract");
        String manual = Api.authorized().body("{\"account_id\":\"" + account + "\",\"type\":\"full_rebalance\","
                + "\"weights\":[{\"type\":\"asset\",\"symbol\":\"SPY\",\"percent\":\"100\"}]}")
                .when().post("/v1/rebalancing/runs").then().statusCode(200).extract().asString();
        broker.assertSchema("PortfolioRun", manual);
        Api.authorized().when().delete("/v1/rebalancing/runs/" + JsonPath.from(manual).getString("id"))
                .then().statusCode(204);

        String runId = UUID.randomUUID().toString();
        send(account, ranWithEveryKindOfOrder(account, runId));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> Api.authorized().when()
                .get("/v1/rebalancing/runs/" + runId).then().statusCode(200));

        String run = Api.authorized().when().get("/v1/rebalancing/runs/" + runId).then().extract().asString();
        broker.assertAnswer("GET", "/v1/rebalancing/runs/{run_id}", 200, run);
        String list = Api.authorized().queryParam("account_id", account).when().get("/v1/rebalancing/runs")
                .then().statusCode(200).extract().asString();
        broker.assertAnswer("GET", "/v1/rebalancing/runs", 200, list);
        broker.assertAnswer("GET", "/v1/rebalancing/runs", 200, Api.authorized().queryParam("account_id", account)
                .when().get("/v1/beta/rebalancing/runs").then().statusCode(200).extract().asString());

        JsonPath json = JsonPath.from(run);
        assertThat(json.getString("orders[0].asset_id")).isEqualTo(SPY_ASSET_ID);
        assertThat(json.getString("orders[0].expires_at")).isEqualTo("2026-11-23T21:00:00Z");
        assertThat(json.getString("orders[0].order_class")).isEqualTo("simple");
        assertThat(json.getString("orders[0].time_in_force")).isEqualTo("day");
        assertThat(json.getString("orders[1].qty")).isEqualTo("2.5");
        assertThat(json.getString("orders[1].notional")).isNull();
        // Refused at the POST: no Alpaca object, so an id derived from the client order id, rejected, failed_at set.
        String refusedClientOrderId = "rb-" + runId + "-b-TLT";
        assertThat(json.getString("failed_orders[0].id")).isEqualTo(UUID.nameUUIDFromBytes(
                ("refused-order:" + refusedClientOrderId).getBytes(StandardCharsets.UTF_8)).toString());
        assertThat(json.getString("failed_orders[0].status")).isEqualTo("rejected");
        assertThat(json.getString("failed_orders[0].failed_at")).isEqualTo("2026-11-23T14:30:03Z");
        assertThat(json.getString("failed_orders[0].asset_id")).isEqualTo(TLT_ASSET_ID);
        assertThat(json.getString("failed_orders[0].filled_qty")).isEqualTo("0");
        assertThat(json.getString("failed_orders[1].status")).isEqualTo("canceled");
        assertThat(json.getString("failed_orders[1].canceled_at")).isEqualTo("2026-11-23T14:31:00Z");
        assertThat(json.getString("skipped_orders[0].notional")).isEqualTo("0.40");
        assertThat(json.getString("skipped_orders[0].currency")).isEqualTo("USD");
        assertThat(json.getMap("")).doesNotContainKey("canceled_at");
    }

    static final String SPY_ASSET_ID = RunsConsumerTest.SPY_ASSET_ID;
    static final String TLT_ASSET_ID = UUID.nameUUIDFromBytes("asset:TLT".getBytes(StandardCharsets.UTF_8)).toString();

    /** A rebalance as the executor reports it: a filled buy, a filled sell, one buy refused, one canceled, a skip. */
    private static RunEvent ranWithEveryKindOfOrder(String account, String runId) {
        Instant at = Instant.parse("2026-11-23T14:30:00Z");
        Instant close = Instant.parse("2026-11-23T21:00:00Z");
        Instant filled = at.plusSeconds(2);
        RunOrder buy = new RunOrder(UUID.randomUUID().toString(), "rb-" + runId + "-b-SPY", "SPY", OrderSide.BUY, null,
                new BigDecimal("1200.00"), new BigDecimal("2.4"), new BigDecimal("500"), "filled", at, filled, null,
                SPY_ASSET_ID, at, filled, null, null, null, close);
        RunOrder sell = new RunOrder(UUID.randomUUID().toString(), "rb-" + runId + "-s-GLD", "GLD", OrderSide.SELL,
                new BigDecimal("2.5"), null, new BigDecimal("2.5"), new BigDecimal("180.25"), "filled", at, filled,
                null, null, at, filled, null, null, null, close);
        RunOrder refused = new RunOrder(null, "rb-" + runId + "-b-TLT", "TLT", OrderSide.BUY, null,
                new BigDecimal("300.00"), null, null, "rejected", null, null, "asset TLT is not tradable",
                TLT_ASSET_ID, null, null, null, null, at.plusSeconds(3), null);
        Instant canceledAt = at.plusSeconds(60);
        RunOrder canceled = new RunOrder(UUID.randomUUID().toString(), "rb-" + runId + "-b-VTI", "VTI", OrderSide.BUY,
                null, new BigDecimal("50.00"), BigDecimal.ZERO, null, "canceled", at, null, null,
                UUID.randomUUID().toString(), at, canceledAt, null, canceledAt, null, close);
        SkippedOrder small = new SkippedOrder("BND", OrderSide.BUY, new BigDecimal("0.4"), "USD",
                SkippedOrder.LESS_THAN_MIN_NOTIONAL, "order notional value $0.4 is less than min-notional ($1.0)");
        return new RunEvent(UUID.randomUUID().toString(), account, canceledAt, runId, "test:" + runId,
                UUID.randomUUID().toString(), RunType.FULL_REBALANCE, null, InitiatedFrom.SYSTEM, Trigger.DRIFT_BAND,
                RunStatus.COMPLETED_ADJUSTED, null, "2 orders failed", false,
                List.of(Weight.asset("SPY", "60"), Weight.asset("TLT", "40")), List.of(buy, sell),
                List.of(refused, canceled), List.of(small), at, canceledAt, canceledAt, null);
    }

    private void send(String key, RunEvent event) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(Topics.RUNS, key, EventJson.write(event))).get();
        }
    }
}
