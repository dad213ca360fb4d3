package dev.rebalancer.portfolio;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/accounts/{id}/drift} on portfolio-service's authenticated API: the account's latest snapshot against
 * its subscription's portfolio, whichever drift-monitor instance holds the account.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
class DriftViewTest {

    @Test
    void the_drift_of_each_weight_is_served_from_the_latest_snapshot_against_the_subscription() {
        String account = Accounts.simAccountId();
        Api.authorized().when().get("/v1/accounts/" + account + "/drift").then().statusCode(404)
                .body("message", containsString("no active subscription"));
        String portfolio = Api.authorized().body(Api.balancedPortfolio("Drift view")).when()
                .post("/v1/rebalancing/portfolios").then().statusCode(200).extract().path("id");
        String subscription = Api.authorized().body(Map.of("account_id", account, "portfolio_id", portfolio))
                .when().post("/v1/rebalancing/subscriptions").then().statusCode(200).extract().path("id");
        try {
            // The simulator's account holds cash only: all of equity is cash, nothing in SPY or TLT. Bands: absolute
            // 5 points and relative 20 % — the tighter one is shown: cash 20 % of 5 = 1, SPY 5 (not 12), TLT 5 (not 7).
            Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    Api.authorized().when().get("/v1/accounts/" + account + "/drift").then().statusCode(200)
                            .body("account_id", equalTo(account))
                            .body("portfolio_id", equalTo(portfolio))
                            .body("breached", equalTo(true))
                            .body("weights.size()", equalTo(3))
                            .body("weights[0].type", equalTo("cash"))
                            .body("weights[0].current_percent", equalTo("100.000000"))
                            .body("weights[0].target_percent", equalTo("5"))
                            .body("weights[0].drift_percent", equalTo("95.000000"))
                            .body("weights[0].band_percent", equalTo("1.000000"))
                            .body("weights[0].breached", equalTo(true))
                            .body("weights[1].symbol", equalTo("SPY"))
                            .body("weights[1].current_percent", equalTo("0.000000"))
                            .body("weights[1].drift_percent", equalTo("-60.000000"))
                            .body("weights[1].band_percent", equalTo("5"))
                            .body("weights[1].breached", equalTo(true))
                            .body("weights[2].symbol", equalTo("TLT"))
                            .body("weights[2].band_percent", equalTo("5")));
        } finally {
            Api.authorized().when().delete("/v1/rebalancing/subscriptions/" + subscription).then().statusCode(204);
        }
        Api.authorized().when().get("/v1/accounts/" + UUID.randomUUID() + "/drift").then().statusCode(404)
                .body("message", containsString("account not found"));
    }
}
