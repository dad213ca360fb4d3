package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.sim.SimAdminClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
class PortfolioApiTest {

    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;

    @BeforeEach
    void assetsTheRulesRefuse() {
        SimAdminClient admin = new SimAdminClient(simulator);
        admin.asset("WHOLE", "50", false, true);
        admin.asset("HALTED", "20", true, false);
    }

    @Test
    void alpacas_documented_example_portfolio_is_accepted_and_returned_in_alpacas_shape() {
        JsonPath created = Api.authorized().body(Api.balancedPortfolio("Balanced"))
                .when().post("/v1/rebalancing/portfolios")
                .then().statusCode(200).extract().jsonPath();

        assertThat(UUID.fromString(created.getString("id"))).isNotNull();
        assertThat(created.getString("name")).isEqualTo("Balanced");
        assertThat(created.getString("description")).isEqualTo("A balanced portfolio");
        assertThat(created.getString("status")).isEqualTo("active");
        assertThat(created.getInt("cooldown_days")).isEqualTo(7);
        assertThat(created.getList("weights", Map.class)).containsExactly(
                Map.of("type", "cash", "percent", "5"),
                Map.of("type", "asset", "symbol", "SPY", "percent", "60"),
                Map.of("type", "asset", "symbol", "TLT", "percent", "35"));
        assertThat(created.getList("rebalance_conditions", Map.class)).containsExactly(
                Map.of("type", "drift_band", "sub_type", "absolute", "percent", "5"),
                Map.of("type", "drift_band", "sub_type", "relative", "percent", "20"));
        assertThat(created.getString("created_at")).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
        assertThat(created.getString("updated_at")).isNotNull();

        JsonPath fetched = Api.authorized().when().get("/v1/rebalancing/portfolios/" + created.getString("id"))
                .then().statusCode(200).extract().jsonPath();
        assertThat(fetched.getMap("")).isEqualTo(created.getMap(""));
        Api.authorized().queryParam("symbol", "TLT").queryParam("name", "Balanced")
                .when().get("/v1/rebalancing/portfolios")
                .then().statusCode(200).body("id", org.hamcrest.Matchers.hasItem(created.getString("id")));
    }

    /** alpaca-py sends percents as JSON numbers ({@code 60.0}); Alpaca's examples as strings: both mean the same. */
    @Test
    void percents_as_json_numbers_from_the_sdk_are_read_as_exactly_as_strings() {
        String numbers = """
                {"name":"From the SDK","weights":[{"type":"cash","percent":5.0},
                 {"type":"asset","symbol":"SPY","percent":61.67},{"type":"asset","symbol":"TLT","percent":33.33}],
                 "cooldown_days":7,"rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":5}]}""";

        JsonPath created = Api.authorized().body(numbers).when().post("/v1/rebalancing/portfolios")
                .then().statusCode(200).extract().jsonPath();

        assertThat(created.getList("weights.percent", String.class)).extracting(java.math.BigDecimal::new)
                .usingElementComparator(java.math.BigDecimal::compareTo)
                .containsExactly(new java.math.BigDecimal("5"), new java.math.BigDecimal("61.67"),
                        new java.math.BigDecimal("33.33"));
        assertThat(new java.math.BigDecimal(created.getString("rebalance_conditions[0].percent")))
                .isEqualByComparingTo("5");
        Api.authorized().body(numbers.replace("61.67", "61.666")).when().post("/v1/rebalancing/portfolios")
                .then().statusCode(422).body("message", containsString("weights[1].percent: must be positive with at most two decimals"));
        Api.authorized().body(numbers.replace("61.67", "1e400")).when().post("/v1/rebalancing/portfolios")
                .then().statusCode(422).body("message", containsString("weights[1].percent"));
        Api.authorized().body(numbers.replace("61.67", "NaN")).when().post("/v1/rebalancing/portfolios")
                .then().statusCode(400).body("message", containsString("malformed JSON"));
        Api.authorized().body(numbers.replace("61.67", "\"NaN\"")).when().post("/v1/rebalancing/portfolios")
                .then().statusCode(422).body("message", containsString("weights[1].percent: is not a decimal"));
    }

    /** Alpaca's list answers carry next_page_token always, null on the last page. */
    @Test
    void every_list_page_carries_next_page_token_null_on_the_last() {
        for (String list : List.of("/v1/rebalancing/subscriptions", "/v1/rebalancing/runs")) {
            Api.authorized().queryParam("account_id", "acct-" + UUID.randomUUID()).when().get(list).then()
                    .statusCode(200).body("$", org.hamcrest.Matchers.hasKey("next_page_token"))
                    .body("next_page_token", nullValue());
        }
    }

    @Test
    void the_spec_spelling_rebalancing_conditions_is_accepted_too() {
        String body = Api.balancedPortfolio("Spec spelling").replace("rebalance_conditions", "rebalancing_conditions");

        Api.authorized().body(body).when().post("/v1/rebalancing/portfolios")
                .then().statusCode(200).body("rebalance_conditions", hasSize(2));
    }

    /** Null conditions as Alpaca shows them; an empty description, as alpaca-py's Portfolio requires a text. */
    @Test
    void a_portfolio_without_conditions_has_null_conditions_and_without_description_an_empty_one() {
        String body = """
                {"name":"Manual only","weights":[{"type":"asset","symbol":"SPY","percent":"100"}],"cooldown_days":0}""";

        Api.authorized().body(body).when().post("/v1/rebalancing/portfolios")
                .then().statusCode(200).body("rebalance_conditions", nullValue()).body("description", equalTo(""))
                .body("$", org.hamcrest.Matchers.hasKey("rebalance_conditions"))
                .body("$", org.hamcrest.Matchers.hasKey("description"));
    }

    static Stream<Arguments> refusedPortfolios() {
        String spy = "{\"type\":\"asset\",\"symbol\":\"SPY\",\"percent\":\"60\"}";
        String tlt = "{\"type\":\"asset\",\"symbol\":\"TLT\",\"percent\":\"40\"}";
        return Stream.of(
                Arguments.of("weights not summing to 100", body("[" + spy + ",{\"type\":\"asset\",\"symbol\":\"TLT\",\"percent\":\"39.99\"}]", "7", ""), "weights: percents must sum to exactly 100.00"),
                Arguments.of("a percent with three decimals", body("[{\"type\":\"asset\",\"symbol\":\"SPY\",\"percent\":\"59.995\"},{\"type\":\"asset\",\"symbol\":\"TLT\",\"percent\":\"40.005\"}]", "7", ""), "weights[0].percent: must be positive with at most two decimals"),
                Arguments.of("a zero percent", body("[{\"type\":\"asset\",\"symbol\":\"SPY\",\"percent\":\"0\"}," + "{\"type\":\"asset\",\"symbol\":\"TLT\",\"percent\":\"100\"}]", "7", ""), "weights[0].percent: must be positive"),
                Arguments.of("a negative percent", body("[{\"type\":\"asset\",\"symbol\":\"SPY\",\"percent\":\"-10\"},{\"type\":\"asset\",\"symbol\":\"TLT\",\"percent\":\"110\"}]", "7", ""), "weights[0].percent: must be positive"),
                Arguments.of("a percent that is not a number", body("[{\"type\":\"asset\",\"symbol\":\"SPY\",\"percent\":\"sixty\"}," + tlt + "]", "7", ""), "weights[0].percent: is not a decimal"),
                Arguments.of("cash twice", body("[{\"type\":\"cash\",\"percent\":\"5\"},{\"type\":\"cash\",\"percent\":\"5\"},{\"type\":\"asset\",\"symbol\":\"SPY\",\"percent\":\"90\"}]", "7", ""), "weights[1].type: cash may appear at most once"),
                Arguments.of("a symbol twice", body("[" + spy + ",{\"type\":\"asset\",\"symbol\":\"SPY\",\"percent\":\"40\"}]", "7", ""), "weights[1].symbol: SPY appears more than once"),
                Arguments.of("an asset weight without a symbol", body("[{\"type\":\"asset\",\"percent\":\"60\"}," + tlt + "]", "7", ""), "weights[0].symbol: is required"),
                Arguments.of("a weight of an unknown type", body("[{\"type\":\"crypto\",\"symbol\":\"BTC\",\"percent\":\"60\"}," + tlt + "]", "7", ""), "weights[0].type: must be asset or cash"),
                Arguments.of("an asset Alpaca does not know", body("[{\"type\":\"asset\",\"symbol\":\"NOSUCH\",\"percent\":\"60\"}," + tlt + "]", "7", ""), "weights[0].symbol: Alpaca knows no asset NOSUCH"),
                Arguments.of("an asset that is not fractionable", body("[{\"type\":\"asset\",\"symbol\":\"WHOLE\",\"percent\":\"60\"}," + tlt + "]", "7", ""), "weights[0].symbol: WHOLE is not fractionable"),
                Arguments.of("an asset that is not tradable", body("[{\"type\":\"asset\",\"symbol\":\"HALTED\",\"percent\":\"60\"}," + tlt + "]", "7", ""), "weights[0].symbol: HALTED is not tradable"),
                Arguments.of("no weights", body("[]", "7", ""), "weights: must be a non-empty array"),
                Arguments.of("a negative cooldown", body("[" + spy + "," + tlt + "]", "-1", ""), "cooldown_days: must be a whole number of days, 0 or more"),
                Arguments.of("a fractional cooldown", body("[" + spy + "," + tlt + "]", "1.5", ""), "cooldown_days: must be a whole number"),
                Arguments.of("a drift band without sub_type", body("[" + spy + "," + tlt + "]", "7", "{\"type\":\"drift_band\",\"percent\":\"5\"}"), "rebalance_conditions[0].sub_type: is required"),
                Arguments.of("a drift band with a calendar sub_type", body("[" + spy + "," + tlt + "]", "7", "{\"type\":\"drift_band\",\"sub_type\":\"weekly\",\"percent\":\"5\"}"), "rebalance_conditions[0].sub_type: must be absolute or relative"),
                Arguments.of("a drift band without percent", body("[" + spy + "," + tlt + "]", "7", "{\"type\":\"drift_band\",\"sub_type\":\"absolute\"}"), "rebalance_conditions[0].percent: is required"),
                Arguments.of("a drift band with a zero percent", body("[" + spy + "," + tlt + "]", "7", "{\"type\":\"drift_band\",\"sub_type\":\"relative\",\"percent\":\"0\"}"), "rebalance_conditions[0].percent: must be positive"),
                Arguments.of("a calendar without a day", body("[" + spy + "," + tlt + "]", "7", "{\"type\":\"calendar\",\"sub_type\":\"monthly\"}"), "rebalance_conditions[0].day: is required"),
                Arguments.of("a weekly calendar on Saturday", body("[" + spy + "," + tlt + "]", "7", "{\"type\":\"calendar\",\"sub_type\":\"weekly\",\"day\":\"Saturday\"}"), "rebalance_conditions[0].day: must be Monday to Friday"),
                Arguments.of("a monthly calendar on day 32", body("[" + spy + "," + tlt + "]", "7", "{\"type\":\"calendar\",\"sub_type\":\"monthly\",\"day\":\"32\"}"), "rebalance_conditions[0].day: must be a day of the month from 1 to 31"),
                Arguments.of("an annual calendar on 13-01", body("[" + spy + "," + tlt + "]", "7", "{\"type\":\"calendar\",\"sub_type\":\"annually\",\"day\":\"13-01\"}"), "rebalance_conditions[0].day: must be a date MM-DD"),
                Arguments.of("a calendar with a bad sub_type", body("[" + spy + "," + tlt + "]", "7", "{\"type\":\"calendar\",\"sub_type\":\"daily\",\"day\":\"1\"}"), "rebalance_conditions[0].sub_type: must be weekly or monthly or quarterly or annually"),
                Arguments.of("two calendar conditions", body("[" + spy + "," + tlt + "]", "7", "{\"type\":\"calendar\",\"sub_type\":\"monthly\",\"day\":\"1\"},{\"type\":\"calendar\",\"sub_type\":\"weekly\",\"day\":\"Monday\"}"), "rebalance_conditions[1].type: at most one calendar condition is allowed"),
                Arguments.of("an unknown condition type", body("[" + spy + "," + tlt + "]", "7", "{\"type\":\"moon_phase\"}"), "rebalance_conditions[0].type: must be drift_band, calendar or on_portfolio_update"),
                Arguments.of("no name", "{\"weights\":[" + spy + "," + tlt + "],\"cooldown_days\":7}", "name: is required"),
                Arguments.of("both spellings of the conditions", "{\"name\":\"x\",\"weights\":[" + spy + "," + tlt + "],\"cooldown_days\":7,\"rebalance_conditions\":[],\"rebalancing_conditions\":[]}", "give either rebalance_conditions or rebalancing_conditions"),
                Arguments.of("a body that is not an object", "[1,2]", "the body must be a JSON object"));
    }

    private static String body(String weights, String cooldown, String conditions) {
        return "{\"name\":\"Refused\",\"weights\":" + weights + ",\"cooldown_days\":" + cooldown
                + ",\"rebalance_conditions\":[" + conditions + "]}";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedPortfolios")
    void every_rule_refuses_with_a_422_naming_the_field_and_stores_nothing(String rule, String body, String message) {
        int before = portfolioCount();

        Api.authorized().body(body).when().post("/v1/rebalancing/portfolios")
                .then().statusCode(422).body("code", equalTo(42210000)).body("message", containsString(message));

        assertThat(portfolioCount()).isEqualTo(before);
    }

    @Test
    void malformed_json_is_a_400_and_stores_nothing() {
        int before = portfolioCount();

        Api.authorized().body("{\"name\": \"Broken\", ").when().post("/v1/rebalancing/portfolios")
                .then().statusCode(400).body("message", containsString("malformed JSON"));
        Api.authorized().body("").when().post("/v1/rebalancing/portfolios").then().statusCode(400);

        assertThat(portfolioCount()).isEqualTo(before);
    }

    @Test
    void an_unknown_id_is_a_404() {
        String unknown = UUID.randomUUID().toString();
        Api.authorized().when().get("/v1/rebalancing/portfolios/" + unknown).then().statusCode(404)
                .body("message", containsString(unknown));
        Api.authorized().when().get("/v1/rebalancing/portfolios/not-a-uuid").then().statusCode(404);
        Api.authorized().body("{\"name\":\"x\"}").when().patch("/v1/rebalancing/portfolios/" + unknown).then().statusCode(404);
        Api.authorized().when().delete("/v1/rebalancing/portfolios/" + unknown).then().statusCode(404);
        Api.authorized().when().get("/v1/rebalancing/subscriptions/" + unknown).then().statusCode(404);
        Api.authorized().when().delete("/v1/rebalancing/subscriptions/" + unknown).then().statusCode(404);
        Api.authorized().when().get("/v1/rebalancing/runs/" + unknown).then().statusCode(404);
        Api.authorized().when().delete("/v1/rebalancing/runs/" + unknown).then().statusCode(404);
        Api.authorized().when().get("/v1/accounts/" + unknown).then().statusCode(404);
    }

    @Test
    void a_patch_changes_what_it_names_and_keeps_every_rule() {
        String id = Api.authorized().body(Api.balancedPortfolio("To change")).when().post("/v1/rebalancing/portfolios")
                .then().statusCode(200).extract().path("id");

        Api.authorized().body("{\"cooldown_days\":31,\"weights\":[{\"type\":\"asset\",\"symbol\":\"SPY\",\"percent\":\"100\"}]}")
                .when().patch("/v1/rebalancing/portfolios/" + id)
                .then().statusCode(200).body("cooldown_days", equalTo(31)).body("weights", hasSize(1))
                .body("name", equalTo("To change")).body("rebalance_conditions", hasSize(2));
        Api.authorized().body("{\"weights\":[{\"type\":\"asset\",\"symbol\":\"SPY\",\"percent\":\"50\"}]}")
                .when().patch("/v1/rebalancing/portfolios/" + id)
                .then().statusCode(422).body("message", containsString("weights: percents must sum to exactly 100.00"));
        Api.authorized().when().get("/v1/rebalancing/portfolios/" + id).then().body("weights[0].percent", equalTo("100"));
    }

    @Test
    void archiving_is_refused_while_subscribed_and_archived_portfolios_take_no_subscriptions() {
        String accountId = Accounts.simAccountId();
        String first = Api.authorized().body(Api.balancedPortfolio("Archive me")).when().post("/v1/rebalancing/portfolios")
                .then().statusCode(200).extract().path("id");
        String subscription = Api.authorized().body(Map.of("account_id", accountId, "portfolio_id", first))
                .when().post("/v1/rebalancing/subscriptions").then().statusCode(200).extract().path("id");

        Api.authorized().when().delete("/v1/rebalancing/portfolios/" + first)
                .then().statusCode(422).body("message", containsString("active subscription"));
        Api.authorized().body(Map.of("account_id", accountId, "portfolio_id", first))
                .when().post("/v1/rebalancing/subscriptions")
                .then().statusCode(422).body("message", containsString("only one is permitted"));

        Api.authorized().when().delete("/v1/rebalancing/subscriptions/" + subscription).then().statusCode(204);
        Api.authorized().when().delete("/v1/rebalancing/portfolios/" + first).then().statusCode(204);
        Api.authorized().when().get("/v1/rebalancing/portfolios/" + first).then().body("status", equalTo("inactive"));
        Api.authorized().body(Map.of("account_id", accountId, "portfolio_id", first))
                .when().post("/v1/rebalancing/subscriptions")
                .then().statusCode(422).body("message", containsString("only active portfolios"));
    }

    @Test
    void subscriptions_are_refused_for_unknown_accounts_and_portfolios_and_bad_ids() {
        String portfolio = Api.authorized().body(Api.balancedPortfolio("Sub rules")).when()
                .post("/v1/rebalancing/portfolios").then().statusCode(200).extract().path("id");

        Api.authorized().body(Map.of("account_id", "not-managed", "portfolio_id", portfolio))
                .when().post("/v1/rebalancing/subscriptions")
                .then().statusCode(422).body("message", containsString("account_id: no managed account not-managed"));
        Api.authorized().body(Map.of("account_id", Accounts.simAccountId(), "portfolio_id", UUID.randomUUID().toString()))
                .when().post("/v1/rebalancing/subscriptions")
                .then().statusCode(422).body("message", containsString("portfolio_id: no portfolio"));
        Api.authorized().body(Map.of("account_id", Accounts.simAccountId(), "portfolio_id", "nope"))
                .when().post("/v1/rebalancing/subscriptions")
                .then().statusCode(422).body("message", containsString("portfolio_id: is not a UUID"));
        Api.authorized().body(Map.of("portfolio_id", portfolio)).when().post("/v1/rebalancing/subscriptions")
                .then().statusCode(422).body("message", containsString("account_id: is required"));
        Api.authorized().queryParam("limit", "0").when().get("/v1/rebalancing/subscriptions")
                .then().statusCode(422).body("message", containsString("limit"));
        Api.authorized().queryParam("page_token", "x").when().get("/v1/rebalancing/runs")
                .then().statusCode(422).body("message", containsString("page_token"));
        Api.authorized().queryParam("status", "HALF_DONE").when().get("/v1/rebalancing/runs")
                .then().statusCode(422).body("message", containsString("status"));
    }

    @Test
    void manual_runs_follow_alpacas_rules() {
        String accountId = Accounts.simAccountId();
        String weights = "[{\"type\":\"asset\",\"symbol\":\"SPY\",\"percent\":\"100\"}]";

        Api.authorized().body("{\"account_id\":\"" + accountId + "\",\"type\":\"invest_cash\",\"weights\":" + weights + "}")
                .when().post("/v1/rebalancing/runs")
                .then().statusCode(422).body("message", containsString("amount: is required"));
        Api.authorized().body("{\"account_id\":\"" + accountId + "\",\"type\":\"sell_everything\",\"weights\":" + weights + "}")
                .when().post("/v1/rebalancing/runs")
                .then().statusCode(422).body("message", containsString("type: must be one of"));
        Api.authorized().body("{\"account_id\":\"" + accountId + "\",\"type\":\"invest_cash\",\"amount\":\"10.001\",\"weights\":" + weights + "}")
                .when().post("/v1/rebalancing/runs")
                .then().statusCode(422).body("message", containsString("amount: must be a positive amount with at most two decimals"));

        JsonPath run = Api.authorized()
                .body("{\"account_id\":\"" + accountId + "\",\"type\":\"invest_cash\",\"amount\":\"250.00\",\"weights\":" + weights + "}")
                .when().post("/v1/rebalancing/runs").then().statusCode(200).extract().jsonPath();
        assertThat(run.getString("status")).isEqualTo("QUEUED");
        assertThat(run.getString("type")).isEqualTo("invest_cash");
        assertThat(run.getString("amount")).isEqualTo("250.00");
        assertThat(run.getString("initiated_from")).isEqualTo("api");
        assertThat(run.getList("orders")).isEmpty();
        // alpaca-py's RebalancingRun requires portfolio_id: a manual run's weights have one of their own.
        assertThat(UUID.fromString(run.getString("portfolio_id"))).isNotNull();
        Api.authorized().when().get("/v1/rebalancing/runs/" + run.getString("id")).then().statusCode(200)
                .body("portfolio_id", org.hamcrest.Matchers.equalTo(run.getString("portfolio_id")));

        Api.authorized()
                .body("{\"account_id\":\"" + accountId + "\",\"type\":\"full_rebalance\",\"weights\":" + weights + "}")
                .when().post("/v1/rebalancing/runs")
                .then().statusCode(422).body("message", containsString("unfinished run"));
        Api.authorized().queryParam("account_id", accountId).queryParam("status", "QUEUED")
                .when().get("/v1/rebalancing/runs")
                .then().statusCode(200).body("runs.id", org.hamcrest.Matchers.hasItem(run.getString("id")));
        // The path of Alpaca's beta, which older clients still call, serves the same runs.
        Api.authorized().queryParam("account_id", accountId).when().get("/v1/beta/rebalancing/runs")
                .then().statusCode(200).body("runs.id", org.hamcrest.Matchers.hasItem(run.getString("id")));
        Api.authorized().when().get("/v1/beta/rebalancing/runs/" + run.getString("id")).then().statusCode(200)
                .body("id", org.hamcrest.Matchers.equalTo(run.getString("id")));
        Api.authorized().when().delete("/v1/rebalancing/runs/" + run.getString("id")).then().statusCode(204);
    }

    private static int portfolioCount() {
        List<?> all = Api.authorized().when().get("/v1/rebalancing/portfolios").then().statusCode(200)
                .extract().jsonPath().getList("");
        return all.size();
    }
}
