package dev.rebalancer.testing.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.sim.AlpacaSimServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every Trading API endpoint the system calls, answered by the simulator, checked against Alpaca's published Trading
 * API document: every test of the project trusts the simulator, so the simulator is held to Alpaca's contract.
 */
class SimulatorContractTest {

    private static AlpacaSimServer sim;
    private static String accountId;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        sim = AlpacaSimServer.start(0);
        accountId = sim.admin().createAccount("contract-key", "contract-secret", "10000").get("id").asText();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void account_positions_clock_and_assets_follow_the_trading_api_document() {
        AlpacaContract trading = AlpacaContract.trading();
        String order = expect(200, "POST", "/v2/orders",
                "{\"symbol\":\"SPY\",\"qty\":\"2\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\"}");
        awaitFilled(id(order));

        trading.assertAnswer("GET", "/v2/account", 200, expect(200, "GET", "/v2/account", null));
        trading.assertAnswer("GET", "/v2/positions", 200, expect(200, "GET", "/v2/positions", null));
        trading.assertAnswer("GET", "/v2/positions/{symbol_or_asset_id}", 200,
                expect(200, "GET", "/v2/positions/SPY", null));
        trading.assertAnswer("GET", "/v2/clock", 200, expect(200, "GET", "/v2/clock", null));
        trading.assertAnswer("GET", "/v2/assets/{symbol_or_asset_id}", 200, expect(200, "GET", "/v2/assets/TLT", null));
        trading.assertAnswer("GET", "/v2/assets", 200, expect(200, "GET", "/v2/assets?status=active", null));
        trading.assertAnswer("GET", "/v2/calendar", 200,
                expect(200, "GET", "/v2/calendar?start=2026-12-20&end=2027-01-05", null));
    }

    @Test
    void orders_in_every_state_the_system_meets_follow_the_trading_api_document() {
        AlpacaContract trading = AlpacaContract.trading();
        String byNotional = expect(200, "POST", "/v2/orders",
                "{\"symbol\":\"TLT\",\"notional\":\"250.00\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\","
                        + "\"client_order_id\":\"contract-notional\"}");
        trading.assertAnswer("POST", "/v2/orders", 200, byNotional);
        awaitFilled(id(byNotional));
        trading.assertAnswer("GET", "/v2/orders/{order_id}", 200, expect(200, "GET", "/v2/orders/" + id(byNotional), null));
        trading.assertAnswer("GET", "/v2/orders:by_client_order_id", 200,
                expect(200, "GET", "/v2/orders:by_client_order_id?client_order_id=contract-notional", null));

        String sell = expect(200, "POST", "/v2/orders",
                "{\"symbol\":\"TLT\",\"qty\":\"0.5\",\"side\":\"sell\",\"type\":\"market\",\"time_in_force\":\"day\"}");
        trading.assertAnswer("POST", "/v2/orders", 200, sell);

        sim.admin().orderFault("GLD", "cancel", null);
        String canceled = expect(200, "POST", "/v2/orders",
                "{\"symbol\":\"GLD\",\"notional\":\"100.00\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\"}");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                expect(200, "GET", "/v2/orders/" + id(canceled), null).contains("\"status\":\"canceled\""));
        trading.assertAnswer("GET", "/v2/orders/{order_id}", 200, expect(200, "GET", "/v2/orders/" + id(canceled), null));

        trading.assertAnswer("GET", "/v2/orders", 200, expect(200, "GET", "/v2/orders?status=all&limit=500", null));
    }

    @Test
    void activities_follow_the_trading_api_document() {
        AlpacaContract trading = AlpacaContract.trading();
        sim.admin().deposit(accountId, "125.00");
        String order = expect(200, "POST", "/v2/orders",
                "{\"symbol\":\"VTI\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\"}");
        awaitFilled(id(order));

        String deposits = expect(200, "GET", "/v2/account/activities/CSD", null);
        assertThat(deposits).contains("\"CSD\"");
        trading.assertAnswer("GET", "/v2/account/activities/{activity_type}", 200, deposits);
        String fills = expect(200, "GET", "/v2/account/activities/FILL", null);
        assertThat(fills).as("the order's execution, as a FILL activity").contains("\"FILL\"", id(order));
        trading.assertAnswer("GET", "/v2/account/activities/{activity_type}", 200, fills);
        trading.assertAnswer("GET", "/v2/account/activities", 200, expect(200, "GET", "/v2/account/activities", null));
    }

    @Test
    void the_oracle_refuses_an_answer_alpaca_would_never_give() {
        AlpacaContract trading = AlpacaContract.trading();
        String order = expect(200, "POST", "/v2/orders",
                "{\"symbol\":\"BND\",\"qty\":\"1\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\"}");
        String broken = order.replaceFirst("\"status\":\"[a-z_]+\"", "\"status\":\"planned\"");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> trading.assertAnswer("POST", "/v2/orders", 200, broken))
                .isInstanceOf(AssertionError.class).hasMessageContaining("/status");
    }

    private static void awaitFilled(String orderId) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                expect(200, "GET", "/v2/orders/" + orderId, null).contains("\"status\":\"filled\""));
    }

    private static String id(String order) {
        Matcher id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(order);
        assertThat(id.find()).as("an id in %s", order).isTrue();
        return id.group(1);
    }

    private static String expect(int status, String method, String path, String body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("APCA-API-KEY-ID", "contract-key").header("APCA-API-SECRET-KEY", "contract-secret").build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isEqualTo(status);
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
