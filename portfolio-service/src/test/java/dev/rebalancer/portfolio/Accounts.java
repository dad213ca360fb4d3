package dev.rebalancer.portfolio;

import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;

/** The simulator's account as the service manages it. */
final class Accounts {

    private Accounts() {
    }

    /** Alpaca's id of the simulator account, once the service has registered it. */
    static String simAccountId() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() ->
                !Api.authorized().when().get("/v1/accounts").then().extract().jsonPath().getList("").isEmpty());
        List<String> ids = Api.authorized().when().get("/v1/accounts").then().statusCode(200).extract().path("id");
        return ids.get(0);
    }
}
