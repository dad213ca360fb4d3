package dev.rebalancer.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The simulator's answers, field by field against the example bodies Alpaca documents. */
class AlpacaShapesTest {

    private static AlpacaSimServer sim;
    private static SimHttp api;
    private static String accountId;

    @BeforeAll
    static void start() {
        sim = AlpacaSimServer.start(0);
        accountId = sim.admin().createAccount("shape-key", "shape-secret", "10000").get("id").asText();
        api = new SimHttp(sim.baseUrl(), "shape-key", "shape-secret");
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void account_has_alpacas_shape() {
        sim.admin().createAccount("untouched-key", "untouched-secret", "10000");
        SimHttp.Answer answer = new SimHttp(sim.baseUrl(), "untouched-key", "untouched-secret").get("/v2/account");

        assertThat(answer.status()).isEqualTo(200);
        assertSameShape(answer.body(), SimHttp.fixture("account"), "account");
        assertThat(answer.body().get("cash").asText()).isEqualTo("10000.00");
    }

    @Test
    void an_order_and_its_position_have_alpacas_shape() {
        SimHttp.Answer order = api.post("/v2/orders",
                "{\"symbol\":\"SPY\",\"notional\":\"600.10\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\"}");

        assertThat(order.status()).isEqualTo(200);
        assertSameShape(order.body(), SimHttp.fixture("order"), "order");
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> "filled".equals(api.get("/v2/orders/" + order.body().get("id").asText()).body().get("status").asText()));

        SimHttp.Answer position = api.get("/v2/positions/SPY");
        assertThat(position.status()).isEqualTo(200);
        assertSameShape(position.body(), SimHttp.fixture("position"), "position");
        assertThat(new BigDecimal(position.body().get("qty").asText())).isEqualByComparingTo("1");
        assertSameShape(api.get("/v2/positions").body().get(0), SimHttp.fixture("position"), "positions[0]");
    }

    @Test
    void clock_asset_and_activity_have_alpacas_shape() {
        assertSameShape(api.get("/v2/clock").body(), SimHttp.fixture("clock"), "clock");
        assertSameShape(api.get("/v2/assets/TLT").body(), SimHttp.fixture("asset"), "asset");

        sim.admin().deposit(accountId, "250.00");
        SimHttp.Answer activities = api.get("/v2/account/activities/CSD");
        assertThat(activities.status()).isEqualTo(200);
        assertThat(activities.body().isArray()).isTrue();
        assertSameShape(activities.body().get(0), SimHttp.fixture("activity"), "activity");
        assertThat(activities.body().get(0).get("id").asText()).matches("\\d{17}::[0-9a-f-]{36}");
    }

    /**
     * The bars endpoints as Alpaca answers: several symbols keyed by symbol with a page token; an adjustment outside
     * raw, split, dividend, spin-off and all (or one given twice) is a 400, as is a multi-symbol request without symbols.
     */
    @Test
    void bars_have_alpacas_shape_and_refuse_what_alpaca_refuses() {
        sim.admin().closes("SHP", java.util.Map.of(java.time.LocalDate.parse("2026-11-02"), "10",
                java.time.LocalDate.parse("2026-11-03"), "11"));
        SimHttp.Answer both = api.get("/v2/stocks/bars?symbols=SHP,NONE&timeframe=1Day&start=2026-11-01&end=2026-11-30"
                + "&adjustment=split,dividend&limit=1");
        assertThat(both.status()).isEqualTo(200);
        assertThat(both.body().get("bars").get("SHP")).hasSize(1);
        assertThat(both.body().get("bars").get("SHP").get(0).get("c").decimalValue()).isEqualByComparingTo("10");
        assertThat(both.body().get("next_page_token").asText()).isNotBlank();
        SimHttp.Answer next = api.get("/v2/stocks/bars?symbols=SHP,NONE&timeframe=1Day&start=2026-11-01&end=2026-11-30"
                + "&limit=1&page_token=" + both.body().get("next_page_token").asText());
        assertThat(next.body().get("bars").get("SHP").get(0).get("c").decimalValue()).isEqualByComparingTo("11");
        assertThat(next.body().get("next_page_token").isNull()).isTrue();
        for (String adjustment : java.util.List.of("dividends", "split,split", "")) {
            SimHttp.Answer refused = api.get("/v2/stocks/SHP/bars?timeframe=1Day&adjustment=" + adjustment);
            assertThat(refused.status()).as(adjustment).isEqualTo(400);
            assertThat(refused.body().get("message").asText()).contains("invalid adjustment");
        }
        assertThat(api.get("/v2/stocks/bars?timeframe=1Day").status()).isEqualTo(400);
    }

    @Test
    void an_error_has_alpacas_shape_with_its_context() {
        SimHttp.Answer answer = api.post("/v2/orders",
                "{\"symbol\":\"SPY\",\"notional\":\"99999.00\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\"}");

        assertThat(answer.status()).isEqualTo(403);
        assertSameShape(answer.body(), SimHttp.fixture("error-insufficient-buying-power"), "error");
        assertThat(answer.body().get("code").asInt()).isEqualTo(40310000);
    }

    @Test
    void every_trading_answer_carries_the_rate_limit_headers() {
        SimHttp.Answer answer = api.get("/v2/clock");

        assertThat(answer.header("X-RateLimit-Limit")).isEqualTo("200");
        assertThat(Integer.parseInt(answer.header("X-RateLimit-Remaining"))).isBetween(0, 199);
        assertThat(Long.parseLong(answer.header("X-RateLimit-Reset")))
                .isGreaterThan(System.currentTimeMillis() / 1000);
    }

    @Test
    void the_stream_authenticates_listens_and_sends_trade_updates_as_binary_frames() throws Exception {
        List<String> messages = new CopyOnWriteArrayList<>();
        List<Boolean> binary = new CopyOnWriteArrayList<>();
        URI stream = URI.create("ws://127.0.0.1:" + sim.port() + "/stream");
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(stream, new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                messages.add(new String(bytes, StandardCharsets.UTF_8));
                binary.add(true);
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                messages.add(data.toString());
                binary.add(false);
                webSocket.request(1);
                return null;
            }
        }).get();
        ws.sendText("{\"action\":\"authenticate\",\"data\":{\"key_id\":\"shape-key\",\"secret_key\":\"shape-secret\"}}", true).get();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> messages.size() >= 1);
        ws.sendText("{\"action\":\"listen\",\"data\":{\"streams\":[\"trade_updates\"]}}", true).get();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> messages.size() >= 2);

        api.post("/v2/orders", "{\"symbol\":\"TLT\",\"qty\":\"2\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\"}");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> messages.stream().anyMatch(m -> m.contains("\"fill\"")));
        ws.abort();

        ObjectMapper json = new ObjectMapper();
        assertThat(json.readTree(messages.get(0)).at("/data/status").asText()).isEqualTo("authorized");
        assertThat(json.readTree(messages.get(1)).at("/stream").asText()).isEqualTo("listening");
        assertThat(binary).containsOnly(true);
        JsonNode fill = null;
        for (String message : messages) {
            JsonNode node = json.readTree(message);
            if ("fill".equals(node.at("/data/event").asText())) {
                fill = node;
            }
        }
        assertThat(fill).isNotNull();
        JsonNode expected = SimHttp.fixture("trade-update-fill");
        assertThat(fieldNames(fill.get("data"))).isEqualTo(fieldNames(expected.get("data")));
        assertSameShape(fill.get("data").get("order"), SimHttp.fixture("order"), "trade update order");
        assertThat(fill.at("/data/order/status").asText()).isEqualTo("filled");
        assertThat(new BigDecimal(fill.at("/data/qty").asText())).isEqualByComparingTo("2");
    }

    /**
     * The same field names as Alpaca's example, each of the same JSON type (null standing for any), decimals where
     * Alpaca has decimal strings, RFC 3339 times where Alpaca has times.
     */
    static void assertSameShape(JsonNode actual, JsonNode expected, String what) {
        assertThat(fieldNames(actual)).as("%s fields", what).isEqualTo(fieldNames(expected));
        for (Iterator<String> names = expected.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            JsonNode want = expected.get(name);
            JsonNode got = actual.get(name);
            if (want.isNull() || got.isNull()) {
                continue;
            }
            assertThat(got.getNodeType()).as("%s.%s type", what, name).isEqualTo(want.getNodeType());
            if (want.isTextual() && isDecimal(want.asText()) && !name.endsWith("id") && !name.equals("account_number")) {
                assertThat(isDecimal(got.asText())).as("%s.%s is a decimal string: %s", what, name, got).isTrue();
            }
            if (want.isTextual() && isTime(want.asText())) {
                assertThat(isTime(got.asText())).as("%s.%s is an RFC 3339 time: %s", what, name, got).isTrue();
            }
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static boolean isDecimal(String text) {
        try {
            new BigDecimal(text);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isTime(String text) {
        try {
            OffsetDateTime.parse(text);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

}
