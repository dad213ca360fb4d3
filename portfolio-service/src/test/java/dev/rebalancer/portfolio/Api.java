package dev.rebalancer.portfolio;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Requests with the API credentials the test profile configures. */
final class Api {

    static final String KEY = "test-api-key";
    static final String SECRET = "test-api-secret";

    private Api() {
    }

    static RequestSpecification authorized() {
        return given().auth().preemptive().basic(KEY, SECRET).contentType(ContentType.JSON);
    }

    /** Alpaca's documented example portfolio. */
    static String balancedPortfolio(String name) {
        return """
                {"name":"%s","description":"A balanced portfolio","weights":[{"type":"cash","percent":"5"},
                 {"type":"asset","symbol":"SPY","percent":"60"},{"type":"asset","symbol":"TLT","percent":"35"}],
                 "cooldown_days":7,"rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"},
                 {"type":"drift_band","sub_type":"relative","percent":"20"}]}""".formatted(name);
    }
}
