package dev.rebalancer.testing.infra;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The alpaca-py oracle itself: it passes what the SDK parses and names what the SDK would refuse. */
class AlpacaPyModelsTest {

    /** Alpaca's example order (the Trading API document's EquityOrderResponse, abridged to its non-null fields). */
    private static final String ALPACAS_ORDER = """
            {"id":"61e69015-8549-4bfd-b9c3-01e75843f47d","client_order_id":"eb9e2aaa-f71a-4f51-b5b4-52a6c565dad4",
             "created_at":"2021-03-16T18:38:01.942282Z","updated_at":"2021-03-16T18:38:01.942282Z",
             "submitted_at":"2021-03-16T18:38:01.937734Z","filled_at":null,"expired_at":null,"canceled_at":null,
             "failed_at":null,"asset_id":"b0b6dd9d-8b9b-48a9-ba46-b9d54906e415","symbol":"AAPL",
             "asset_class":"us_equity","notional":"500","qty":null,"filled_qty":"0","filled_avg_price":null,
             "order_class":"","order_type":"market","type":"market","side":"buy","time_in_force":"day",
             "limit_price":null,"stop_price":null,"status":"accepted","extended_hours":false}""";

    @Test
    void alpacas_own_order_parses() {
        assertThatCode(() -> AlpacaPyModels.assertParses(AlpacaPyModels.ORDER, ALPACAS_ORDER))
                .doesNotThrowAnyException();
    }

    /** A run's order as this project recorded them before issue 16: the SDK's Order could not be built from it. */
    @Test
    void an_order_without_type_time_in_force_or_notional_is_refused_naming_each() {
        String ours = """
                {"id":"61e69015-8549-4bfd-b9c3-01e75843f47d","client_order_id":"rb-run-s-SPY","symbol":"SPY",
                 "side":"sell","qty":"2.5","filled_qty":"2.5","filled_avg_price":"500","status":"filled"}""";

        assertThatThrownBy(() -> AlpacaPyModels.assertParses(AlpacaPyModels.ORDER, ours))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Order.notional: missing")
                .hasMessageContaining("Order.type: missing")
                .hasMessageContaining("Order.time_in_force: missing");
    }

    @Test
    void values_of_the_wrong_type_or_outside_the_sdks_enums_are_refused() {
        String run = """
                {"id":"not-a-uuid","account_id":"61e69015-8549-4bfd-b9c3-01e75843f47d","type":"planned",
                 "amount":250.0,"portfolio_id":"61e69015-8549-4bfd-b9c3-01e75843f47d","weights":[],
                 "created_at":"2021-03-16T18:38:01Z","updated_at":"yesterday","status":"QUEUED"}""";

        assertThatThrownBy(() -> AlpacaPyModels.assertParses(AlpacaPyModels.REBALANCING_RUN, run))
                .hasMessageContaining("RebalancingRun.id")
                .hasMessageContaining("RebalancingRun.type: \"planned\" is not a RunType")
                .hasMessageContaining("RebalancingRun.amount: 250.0 is not a valid str")
                .hasMessageContaining("RebalancingRun.updated_at");
        assertThatThrownBy(() -> AlpacaPyModels.assertParsesPage(AlpacaPyModels.SUBSCRIPTION, "subscriptions",
                "{\"subscriptions\":[]}")).hasMessageContaining("next_page_token: missing");
    }
}
