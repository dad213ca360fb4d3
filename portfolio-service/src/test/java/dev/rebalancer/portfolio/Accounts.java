package dev.rebalancer.portfolio;

import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;

/** The simulator's accounts as the service manages them. */
final class Accounts {

    private Accounts() {
    }

    /** Alpaca's id of the simulator account {@code main}, once the service has registered it. */
    static String simAccountId() {
        return idOf("main");
    }

    /**
     * Alpaca's id of the account configured under {@code name}, once the service has registered it (the database is
     * shared by the test classes, so it may list accounts that other classes configured).
     */
    static String idOf(String name) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !ids(name).isEmpty());
        return ids(name).get(0);
    }

    private static List<String> ids(String name) {
        return Api.authorized().when().get("/v1/accounts").then().statusCode(200).extract().jsonPath()
                .getList("findAll { it.name == '" + name + "' }.id", String.class);
    }
}
