package dev.rebalancer.portfolio;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The daily balance check against the simulator: a 2-for-1 split it applies to a position overnight is caught the
 * next day and named, once, as an alert; the day's answer is kept.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(value = AlpacaSimResource.class, initArgs = @ResourceArg(name = "more-accounts", value = "balance"))
class BalanceCheckTest {

    /** An account of this test's own at the simulator: what it buys shows in no other test's drift. */
    private static final String KEY = "balance-key";
    private static final String SECRET = "balance-secret";

    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void a_split_the_simulator_applies_is_caught_the_next_day_and_named_with_the_difference_it_explains() {
        String account = Accounts.idOf("balance");
        SimAdminClient sim = new SimAdminClient(simulator);
        // A symbol of this test's own (a split changes its price for every account of the simulator).
        sim.prices(Map.of("SPLT", "300.00"));
        given().baseUri(simulator.toString()).header("APCA-API-KEY-ID", KEY)
                .header("APCA-API-SECRET-KEY", SECRET).contentType(ContentType.JSON)
                .body(Map.of("symbol", "SPLT", "qty", "4", "side", "buy", "type", "market", "time_in_force", "day"))
                .when().post("/v2/orders").then().statusCode(200);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> simQty("SPLT").signum() > 0);

        JsonPath first = check("{\"trading_day\":\"2031-03-03\"}");
        assertThat(first.getString("trading_day")).isEqualTo("2031-03-03");
        assertThat(mine(first, account, "checked_before")).isEqualTo(false);
        BigDecimal qty = simQty("SPLT");
        assertThat(qty).isEqualByComparingTo("4");

        sim.split("SPLT", "2");
        assertThat(simQty("SPLT")).isEqualByComparingTo("8");

        try (TopicProbe alerts = new TopicProbe(bootstrap, Topics.ALERTS)) {
            JsonPath next = check("{\"trading_day\":\"2031-03-04\"}");
            assertThat(mine(next, account, "outcome")).isEqualTo("findings");
            // Yesterday's 4 at today's $150 is $600 short of the 8 Alpaca now holds at $150.
            assertThat(new BigDecimal(String.valueOf(mine(next, account, "difference")))).isEqualByComparingTo("600");
            @SuppressWarnings("unchecked")
            List<String> findings = (List<String>) mine(next, account, "findings");
            assertThat(findings.get(0)).startsWith("Equity $").endsWith("the fills and cash flows since: +$600.00");
            assertThat(findings).contains(
                    "SPLT: 8 held, 4 expected (4 yesterday) — ×2: a 2-for-1 split?; explains +$600.00");

            // Asked again, the day answers what it found; the alert went out once.
            JsonPath again = check("{\"trading_day\":\"2031-03-04\"}");
            assertThat(mine(again, account, "checked_before")).isEqualTo(true);
            assertThat(mine(again, account, "findings")).isEqualTo(findings);
            List<Alert> mine = alerts.await(r -> r.value().contains("2031-03-04"), 1).stream()
                    .map(r -> EventJson.read(r.value(), Alert.class)).filter(a -> account.equals(a.accountId()))
                    .toList();
            assertThat(mine).singleElement().satisfies(alert -> {
                assertThat(alert.title()).isEqualTo("Balance check of balance for 2031-03-04: equity off by $600.00");
                assertThat(alert.detail()).contains("SPLT: 8 held, 4 expected");
            });
            Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() ->
                    alerts.records(r -> r.value().contains("2031-03-04") && r.value().contains(account)).size() == 1);
        }

        Api.authorized().body("{\"trading_day\":\"03/04/2031\"}").when().post("/v1/balance-checks").then()
                .statusCode(422).body("message", org.hamcrest.Matchers.containsString("trading_day: must be a date"));
    }

    private static JsonPath check(String body) {
        return Api.authorized().body(body).when().post("/v1/balance-checks").then().statusCode(200).extract()
                .jsonPath();
    }

    private static Object mine(JsonPath answer, String account, String field) {
        return answer.get("accounts.find { it.account_id == '" + account + "' }." + field);
    }

    private BigDecimal simQty(String symbol) {
        List<Map<String, Object>> positions = given().baseUri(simulator.toString())
                .header("APCA-API-KEY-ID", KEY)
                .header("APCA-API-SECRET-KEY", SECRET).when().get("/v2/positions").then()
                .statusCode(200).extract().jsonPath().getList("$");
        return positions.stream().filter(p -> symbol.equals(p.get("symbol")))
                .map(p -> new BigDecimal(String.valueOf(p.get("qty")))).findFirst().orElse(BigDecimal.ZERO);
    }
}
