package dev.rebalancer.sim;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The simulator runs as a Quarkus application with the same routes, beside its health endpoint. */
@QuarkusTest
class SimApplicationTest {

    @Test
    void the_application_serves_the_admin_and_trading_api_and_health() {
        given().contentType("application/json")
                .body("{\"api_key_id\":\"app-key\",\"api_secret_key\":\"app-secret\",\"cash\":\"2500\"}")
                .when().post("/sim/accounts")
                .then().statusCode(200).body("cash", equalTo("2500.00"));

        given().header("APCA-API-KEY-ID", "app-key").header("APCA-API-SECRET-KEY", "app-secret")
                .when().get("/v2/account")
                .then().statusCode(200).body("status", equalTo("ACTIVE")).body("equity", equalTo("2500.00"));

        given().when().get("/v2/account").then().statusCode(401).body("code", equalTo(40110000));

        given().when().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
    }
}
