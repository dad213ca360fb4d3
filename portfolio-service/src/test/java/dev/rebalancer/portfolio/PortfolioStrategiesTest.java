package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.TradeCosts;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * A portfolio's opt-in strategies: an object beside Alpaca's shape, set with the portfolio's POST or PATCH, read at
 * {@code /strategies}, never shown to an Alpaca-shaped client, never dropped by a PATCH that does not name it, and
 * announced with the targets to the drift monitor (which hands them to the executor with each request).
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(value = AlpacaSimResource.class, initArgs = @ResourceArg(name = "more-accounts", value = "strategies"))
class PortfolioStrategiesTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    private static String withCosts(String name) {
        return """
                {"name":"%s","weights":[{"type":"asset","symbol":"SPY","percent":"60"},
                 {"type":"asset","symbol":"TLT","percent":"40"}],"cooldown_days":1,
                 "rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"}],
                 "strategies":{"trade_costs":{"min_trade_usd":"25","spread_bps":{"us_equity":"3"},
                  "rebalance_to":"band_edge"}}}""".formatted(name);
    }

    private static JsonPath strategies(String portfolio) {
        return Api.authorized().when().get("/v1/rebalancing/portfolios/" + portfolio + "/strategies").then()
                .statusCode(200).extract().jsonPath();
    }

    @Test
    void a_patch_that_does_not_name_a_strategy_leaves_it_as_it_was() {
        String portfolio = Api.authorized().body(withCosts("Costs kept")).when().post("/v1/rebalancing/portfolios")
                .then().statusCode(200).body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("strategies")))
                .extract().path("id");
        JsonPath set = strategies(portfolio);
        assertThat(set.getString("portfolio_id")).isEqualTo(portfolio);
        assertThat(set.getString("strategies.trade_costs.min_trade_usd")).isEqualTo("25");
        assertThat(set.getString("strategies.trade_costs.spread_bps.us_equity")).isEqualTo("3");
        assertThat(set.getString("strategies.trade_costs.spread_bps.crypto")).as("a default").isEqualTo("25");
        assertThat(set.getString("strategies.trade_costs.max_cost_percent")).as("a default").isEqualTo("0.5");
        assertThat(set.getString("strategies.trade_costs.rebalance_to")).isEqualTo("band_edge");

        // What an Alpaca-shaped client sends: its fields only, the whole portfolio.
        Api.authorized().body("""
                {"name":"Costs kept, renamed","weights":[{"type":"asset","symbol":"SPY","percent":"50"},
                 {"type":"asset","symbol":"TLT","percent":"50"}],"cooldown_days":2,
                 "rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"4"}]}""")
                .when().patch("/v1/rebalancing/portfolios/" + portfolio).then().statusCode(200)
                .body("name", equalTo("Costs kept, renamed"));
        Api.authorized().body("{\"strategies\":{}}").when().patch("/v1/rebalancing/portfolios/" + portfolio).then()
                .statusCode(200);
        assertThat(strategies(portfolio).getMap("strategies.trade_costs")).isEqualTo(set.getMap(
                "strategies.trade_costs"));

        // Turning harvesting on names only it: trade costs stay; its defaults show.
        Api.authorized().body("{\"strategies\":{\"tax_loss_harvesting\":{\"min_loss_usd\":\"100\"}}}").when()
                .patch("/v1/rebalancing/portfolios/" + portfolio).then().statusCode(200);
        JsonPath both = strategies(portfolio);
        assertThat(both.getMap("strategies.trade_costs")).isEqualTo(set.getMap("strategies.trade_costs"));
        assertThat(both.getList("strategies.tax_loss_harvesting.pairs")).containsExactly(List.of("VOO", "VTI"),
                List.of("VWO", "IEMG"), List.of("QQQ", "VGT"));
        assertThat(both.getString("strategies.tax_loss_harvesting.loss_percent")).isEqualTo("5");
        assertThat(both.getString("strategies.tax_loss_harvesting.min_loss_usd")).isEqualTo("100");

        // The volatility filter on with its defaults; then an Alpaca-shaped PATCH, which drops none of the three.
        Api.authorized().body("{\"strategies\":{\"volatility_filter\":{}}}").when()
                .patch("/v1/rebalancing/portfolios/" + portfolio).then().statusCode(200);
        Api.authorized().body("{\"name\":\"Costs kept, once more\",\"cooldown_days\":3}").when()
                .patch("/v1/rebalancing/portfolios/" + portfolio).then().statusCode(200);
        JsonPath three = strategies(portfolio);
        assertThat(three.getString("strategies.volatility_filter.source")).isEqualTo("vix");
        assertThat(three.getString("strategies.volatility_filter.threshold")).isEqualTo("30");
        assertThat(three.getInt("strategies.volatility_filter.invest_cash_days")).isEqualTo(1);
        assertThat(three.getMap("strategies.trade_costs")).isEqualTo(set.getMap("strategies.trade_costs"));
        assertThat(three.getString("strategies.tax_loss_harvesting.min_loss_usd")).isEqualTo("100");

        Api.authorized().body("{\"strategies\":{\"trade_costs\":null,\"volatility_filter\":{\"source\":"
                + "\"spy_realized_vol\",\"threshold\":\"25.5\",\"invest_cash_days\":4}}}").when()
                .patch("/v1/rebalancing/portfolios/" + portfolio).then().statusCode(200);
        Api.authorized().when().get("/v1/rebalancing/portfolios/" + portfolio + "/strategies").then().statusCode(200)
                .body("strategies.trade_costs", nullValue())
                .body("strategies.tax_loss_harvesting.min_loss_usd", equalTo("100"))
                .body("strategies.volatility_filter.source", equalTo("spy_realized_vol"))
                .body("strategies.volatility_filter.threshold", equalTo("25.5"))
                .body("strategies.volatility_filter.invest_cash_days", equalTo(4));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            not an object        | {"strategies":[]}                                                          | strategies: must be an object
            unknown strategy     | {"strategies":{"harvest":{}}}                                              | strategies.harvest: is not a strategy
            unknown field        | {"strategies":{"trade_costs":{"min_trade":"5"}}}                           | strategies.trade_costs.min_trade: is not a field of trade_costs
            negative minimum     | {"strategies":{"trade_costs":{"min_trade_usd":"-5"}}}                      | strategies.trade_costs.min_trade_usd: must be from 0
            percent over 100     | {"strategies":{"trade_costs":{"min_trade_percent":"101"}}}                 | strategies.trade_costs.min_trade_percent: must be from 0 to 100
            unknown asset class  | {"strategies":{"trade_costs":{"spread_bps":{"bonds":"3"}}}}                | strategies.trade_costs.spread_bps.bonds: is not an asset class
            zero cost share      | {"strategies":{"trade_costs":{"max_cost_percent":"0"}}}                    | strategies.trade_costs.max_cost_percent: must be more than 0
            not a boolean        | {"strategies":{"trade_costs":{"skip_inside_band":"yes"}}}                  | strategies.trade_costs.skip_inside_band: must be true or false
            unknown target       | {"strategies":{"trade_costs":{"rebalance_to":"halfway"}}}                  | strategies.trade_costs.rebalance_to: must be target or band_edge
            pair of one          | {"strategies":{"tax_loss_harvesting":{"pairs":[["VOO"]]}}}                  | strategies.tax_loss_harvesting.pairs[0]: must be two symbols
            own substitute       | {"strategies":{"tax_loss_harvesting":{"pairs":[["VOO","VOO"]]}}}            | strategies.tax_loss_harvesting.pairs[0]: a security cannot be its own substitute
            symbol in two pairs  | {"strategies":{"tax_loss_harvesting":{"pairs":[["VOO","VTI"],["VTI","SCHB"]]}}} | strategies.tax_loss_harvesting.pairs[1]: VTI is in another pair already
            not a symbol         | {"strategies":{"tax_loss_harvesting":{"pairs":[["VOO","vti"]]}}}            | strategies.tax_loss_harvesting.pairs[0]: "vti" is not a symbol
            zero loss threshold  | {"strategies":{"tax_loss_harvesting":{"loss_percent":"0"}}}                 | strategies.tax_loss_harvesting.loss_percent: must be more than 0
            unknown harvest field| {"strategies":{"tax_loss_harvesting":{"threshold":"5"}}}                    | strategies.tax_loss_harvesting.threshold: is not a field of tax_loss_harvesting
            unknown source       | {"strategies":{"volatility_filter":{"source":"vvix"}}}                      | strategies.volatility_filter.source: must be vix (Cboe's VIX close) or spy_realized_vol
            zero threshold       | {"strategies":{"volatility_filter":{"threshold":"0"}}}                      | strategies.volatility_filter.threshold: must be more than 0
            no split of 0 days   | {"strategies":{"volatility_filter":{"invest_cash_days":0}}}                 | strategies.volatility_filter.invest_cash_days: must be a whole number of trading days from 1
            split of half a day  | {"strategies":{"volatility_filter":{"invest_cash_days":1.5}}}               | strategies.volatility_filter.invest_cash_days: must be a whole number
            split over 20 days   | {"strategies":{"volatility_filter":{"invest_cash_days":21}}}                | strategies.volatility_filter.invest_cash_days: must be a whole number of trading days from 1 (a deposit invested at once) to 20
            unknown filter field | {"strategies":{"volatility_filter":{"vix":"30"}}}                           | strategies.volatility_filter.vix: is not a field of volatility_filter
            edge without a band  | {"rebalance_conditions":[],"strategies":{"trade_costs":{"rebalance_to":"band_edge"}}} | strategies.trade_costs.rebalance_to: band_edge needs a drift_band condition
            """)
    void a_bad_strategy_is_a_422_naming_the_field_and_changes_nothing(String rule, String patch, String message) {
        String portfolio = Api.authorized().body(withCosts("Refusals " + rule)).when()
                .post("/v1/rebalancing/portfolios").then().statusCode(200).extract().path("id");
        JsonPath before = strategies(portfolio);

        Api.authorized().body(patch).when().patch("/v1/rebalancing/portfolios/" + portfolio).then().statusCode(422)
                .body("message", containsString(message));

        assertThat(strategies(portfolio).getMap("strategies")).isEqualTo(before.getMap("strategies"));
        Api.authorized().when().get("/v1/rebalancing/portfolios/" + portfolio).then()
                .body("rebalance_conditions[0].percent", equalTo("5"));
    }

    @Test
    void strategies_are_announced_with_the_targets_when_they_change() {
        String portfolio = Api.authorized().body(withCosts("Announced")).when().post("/v1/rebalancing/portfolios")
                .then().statusCode(200).extract().path("id");
        String account = Accounts.idOf("strategies");
        try (TopicProbe targets = new TopicProbe(bootstrap, Topics.TARGETS)) {
            Api.authorized().body(Map.of("account_id", account, "portfolio_id", portfolio)).when()
                    .post("/v1/rebalancing/subscriptions").then().statusCode(200);
            TargetAllocation subscribed = EventJson.read(targets.await(r -> account.equals(r.key())
                    && r.value() != null && r.value().contains(portfolio), 1).get(0).value(), TargetAllocation.class);
            assertThat(subscribed.strategies().tradeCosts().toBandEdge()).isTrue();
            assertThat(subscribed.strategies().tradeCosts().minTradeUsd()).isEqualByComparingTo("25");

            Api.authorized().body("{\"strategies\":{\"trade_costs\":{\"rebalance_to\":\"target\"}}}").when()
                    .patch("/v1/rebalancing/portfolios/" + portfolio).then().statusCode(200);

            TargetAllocation changed = EventJson.read(targets.await(r -> account.equals(r.key())
                    && r.value() != null && r.value().contains(portfolio), 2).get(1).value(), TargetAllocation.class);
            assertThat(changed.strategies().tradeCosts().rebalanceTo()).isEqualTo(TradeCosts.RebalanceTo.TARGET);
            assertThat(changed.strategies().tradeCosts().minTradeUsd()).as("the whole strategy is replaced")
                    .isEqualByComparingTo("0");
        } finally {
            Api.authorized().when().get("/v1/rebalancing/subscriptions?account_id=" + account).then().extract()
                    .jsonPath().getList("subscriptions.id", String.class).forEach(id -> Api.authorized().when()
                            .delete("/v1/rebalancing/subscriptions/" + id));
        }
    }
}
