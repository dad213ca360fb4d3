package dev.rebalancer.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminApiTest {

    private AlpacaSimServer sim;
    private SimHttp admin;

    @BeforeEach
    void start() {
        sim = AlpacaSimServer.start(0);
        admin = new SimHttp(sim.baseUrl(), null, null);
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    @Test
    void a_created_account_is_shown_as_alpaca_shows_it_and_answers_to_its_keys() {
        SimHttp.Answer created = admin.post("/sim/accounts",
                "{\"api_key_id\":\"k1\",\"api_secret_key\":\"s1\",\"cash\":\"10000\"}");

        assertThat(created.status()).isEqualTo(200);
        AlpacaShapesTest.assertSameShape(created.body(), SimHttp.fixture("account"), "created account");
        assertThat(created.body().get("cash").asText()).isEqualTo("10000.00");
        assertThat(created.body().get("buying_power").asText()).isEqualTo("10000.00");
        assertThat(new SimHttp(sim.baseUrl(), "k1", "s1").get("/v2/account").body().get("id"))
                .isEqualTo(created.body().get("id"));
    }

    @Test
    void the_calendar_has_the_trading_days_with_the_holidays_and_early_closes_set() {
        SimHttp api = new SimHttp(sim.baseUrl(), "cal-key", "cal-secret");
        admin.post("/sim/accounts", "{\"api_key_id\":\"cal-key\",\"api_secret_key\":\"cal-secret\",\"cash\":\"1\"}");
        sim.admin().calendar(List.of("2031-07-04"), java.util.Map.of("2031-07-03", "13:00"));

        // Monday 30 June to Monday 7 July 2031: Friday the 4th a holiday, the weekend closed, the 3rd closing early.
        JsonNode days = api.get("/v2/calendar?start=2031-06-30&end=2031-07-07").body();

        assertThat(days.findValuesAsText("date"))
                .containsExactly("2031-06-30", "2031-07-01", "2031-07-02", "2031-07-03", "2031-07-07");
        assertThat(days.get(3).get("close").asText()).isEqualTo("13:00");
        assertThat(days.get(2).get("close").asText()).isEqualTo("16:00");
        assertThat(days.get(0).get("open").asText()).isEqualTo("09:30");
        assertThat(days.get(3).get("settlement_date").asText()).isEqualTo("2031-07-07");
        assertRefused(admin.put("/sim/calendar", "{\"holidays\":[\"July 4th\"]}"), 422, "holidays");
        assertRefused(admin.put("/sim/calendar", "{\"early_closes\":{\"2031-07-03\":\"17:00\"}}"), 422, "early_closes");
    }

    /** The simulator's sessions are its clock's: while the clock is open, today is a trading day in the calendar. */
    @Test
    void the_calendar_agrees_with_the_clock_about_today() {
        SimHttp api = new SimHttp(sim.baseUrl(), "cal2-key", "cal2-secret");
        admin.post("/sim/accounts", "{\"api_key_id\":\"cal2-key\",\"api_secret_key\":\"cal2-secret\",\"cash\":\"1\"}");
        String today = java.time.LocalDate.now(java.time.ZoneId.of("America/New_York")).toString();
        String todayOnly = "/v2/calendar?start=" + today + "&end=" + today;
        sim.admin().calendar(List.of(today), java.util.Map.of());

        sim.admin().clock(true);
        assertThat(api.get(todayOnly).body().findValuesAsText("close")).as("open: listed, holiday or not")
                .containsExactly("23:59");
        sim.admin().clock(false);
        assertThat(api.get(todayOnly).body()).as("closed on a holiday: not listed").isEmpty();

        sim.admin().clock(true);
        sim.admin().calendar(List.of(), java.util.Map.of(today, "00:00"));
        assertThat(api.get(todayOnly).body().findValuesAsText("close")).as("an early close ends today's session")
                .containsExactly("00:00");
    }

    @Test
    void an_asset_set_inactive_is_listed_so_and_refuses_orders() {
        admin.post("/sim/accounts", "{\"api_key_id\":\"as-key\",\"api_secret_key\":\"as-secret\",\"cash\":\"1000\"}");
        SimHttp api = new SimHttp(sim.baseUrl(), "as-key", "as-secret");
        sim.admin().assetStatus("GLD", "180.00", "inactive", false);

        assertThat(api.get("/v2/assets/GLD").body().get("status").asText()).isEqualTo("inactive");
        assertThat(api.get("/v2/assets?status=active").body().findValuesAsText("symbol")).doesNotContain("GLD")
                .contains("SPY");
        assertThat(api.get("/v2/assets").body().findValuesAsText("symbol")).contains("GLD", "SPY");
        assertRefused(api.post("/v2/orders",
                "{\"symbol\":\"GLD\",\"notional\":\"10\",\"side\":\"buy\",\"type\":\"market\",\"time_in_force\":\"day\"}"),
                422, "not tradable");
    }

    @Test
    void bad_admin_input_is_refused_with_a_message_that_names_the_field() {
        assertRefused(admin.post("/sim/accounts", "{\"api_secret_key\":\"s\",\"cash\":\"1\"}"), 422, "api_key_id");
        assertRefused(admin.post("/sim/accounts", "{\"api_key_id\":\"k\",\"api_secret_key\":\"s\",\"cash\":\"lots\"}"), 422, "cash");
        assertRefused(admin.post("/sim/accounts", "{not json"), 400, "invalid");
        admin.post("/sim/accounts", "{\"api_key_id\":\"k\",\"api_secret_key\":\"s\",\"cash\":\"1\"}");
        assertRefused(admin.post("/sim/accounts", "{\"api_key_id\":\"k\",\"api_secret_key\":\"s\",\"cash\":\"1\"}"), 409, "exists");
        assertRefused(admin.post("/sim/accounts/nope/deposits", "{\"amount\":\"5\"}"), 404, "account");
        assertRefused(admin.put("/sim/prices", "{\"SPY\":\"-1\"}"), 422, "price of SPY");
        assertRefused(admin.put("/sim/clock", "{\"is_open\":\"yes\"}"), 422, "is_open");
        assertRefused(admin.put("/sim/config", "{\"partial_fill_ratio\":\"1.5\"}"), 422, "partial_fill_ratio");
        assertRefused(admin.put("/sim/faults", "{\"server_error_rate\":2}"), 422, "server_error_rate");
        assertRefused(admin.put("/sim/faults", "{\"requests_per_minute\":0}"), 422, "requests_per_minute");
        assertRefused(admin.put("/sim/faults", "{\"rate_limit_window_ms\":50}"), 422, "rate_limit_window_ms");
        assertRefused(admin.get("/sim/accounts/nope/stats"), 404, "account");
        assertRefused(admin.put("/sim/accounts/nope/latency", "{\"latency_ms\":10}"), 404, "account");
    }

    @Test
    void an_account_with_latency_is_answered_that_much_later_and_the_others_at_once() {
        String slow = admin.post("/sim/accounts", "{\"api_key_id\":\"slow\",\"api_secret_key\":\"s\",\"cash\":\"1\"}")
                .body().get("id").asText();
        admin.post("/sim/accounts", "{\"api_key_id\":\"fast\",\"api_secret_key\":\"s\",\"cash\":\"1\"}");
        assertRefused(admin.put("/sim/accounts/" + slow + "/latency", "{\"latency_ms\":-1}"), 422, "latency_ms");
        assertRefused(admin.put("/sim/accounts/" + slow + "/latency", "{\"latency_ms\":\"soon\"}"), 422, "latency_ms");

        assertThat(admin.put("/sim/accounts/" + slow + "/latency", "{\"latency_ms\":1500}").body().get("latency_ms")
                .asLong()).isEqualTo(1500);

        assertThat(timeOf(new SimHttp(sim.baseUrl(), "slow", "s"), "/v2/account")).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        assertThat(timeOf(new SimHttp(sim.baseUrl(), "fast", "s"), "/v2/account")).isLessThan(Duration.ofMillis(1000));
        admin.put("/sim/accounts/" + slow + "/latency", "{\"latency_ms\":0}");
        assertThat(timeOf(new SimHttp(sim.baseUrl(), "slow", "s"), "/v2/account")).isLessThan(Duration.ofMillis(1000));
    }

    private static Duration timeOf(SimHttp api, String path) {
        long started = System.nanoTime();
        assertThat(api.get(path).status()).isEqualTo(200);
        return Duration.ofNanos(System.nanoTime() - started);
    }

    @Test
    void a_short_rate_window_gives_429s_that_pass_and_the_stats_count_them() {
        String id = admin.post("/sim/accounts", "{\"api_key_id\":\"k1\",\"api_secret_key\":\"s1\",\"cash\":\"1\"}")
                .body().get("id").asText();
        admin.put("/sim/faults", "{\"requests_per_minute\":2,\"rate_limit_window_ms\":1000}");
        SimHttp api = new SimHttp(sim.baseUrl(), "k1", "s1");

        assertThat(api.get("/v2/clock").status()).isEqualTo(200);
        assertThat(api.get("/v2/clock").status()).isEqualTo(200);
        SimHttp.Answer refused = api.get("/v2/clock");
        assertThat(refused.status()).isEqualTo(429);
        long reset = Long.parseLong(refused.header("X-RateLimit-Reset"));
        assertThat(reset).isLessThanOrEqualTo(java.time.Instant.now().getEpochSecond() + 2);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> api.get("/v2/clock").status() == 200);

        JsonNode stats = admin.get("/sim/accounts/" + id + "/stats").body();
        assertThat(stats.get("rate_limited").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(stats.get("requests").asLong()).isEqualTo(3 + stats.get("rate_limited").asLong());
    }

    @Test
    void a_deposit_is_a_csd_activity_and_cash() {
        String id = sim.admin().createAccount("k", "s", "100").get("id").asText();

        JsonNode activity = sim.admin().deposit(id, "1000.50");

        assertThat(activity.get("activity_type").asText()).isEqualTo("CSD");
        assertThat(activity.get("net_amount").asText()).isEqualTo("1000.50");
        assertThat(new SimHttp(sim.baseUrl(), "k", "s").get("/v2/account").body().get("cash").asText())
                .isEqualTo("1100.50");
    }

    @Test
    void prices_move_the_market_value_and_unknown_symbols_become_assets() {
        sim.admin().createAccount("k", "s", "1000");
        SimHttp api = new SimHttp(sim.baseUrl(), "k", "s");
        api.post("/v2/orders", order("SPY", "\"qty\":\"1\"", "buy"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> api.get("/v2/positions/SPY").status() == 200);

        sim.admin().prices(java.util.Map.of("SPY", "700.00", "NEWCO", "12.5"));

        assertThat(api.get("/v2/positions/SPY").body().get("market_value").asText()).isEqualTo("700.00");
        assertThat(api.get("/v2/assets/NEWCO").body().get("fractionable").asBoolean()).isTrue();
        sim.admin().asset("WHOLE", "50", false, true);
        assertThat(api.get("/v2/assets/WHOLE").body().get("fractionable").asBoolean()).isFalse();
    }

    @Test
    void the_same_admin_calls_give_the_same_results() {
        Function<AlpacaSimServer, List<String>> script = server -> {
            JsonNode account = server.admin().createAccount("k", "s", "5000");
            SimHttp api = new SimHttp(server.baseUrl(), "k", "s");
            JsonNode order = api.post("/v2/orders", order("TLT", "\"notional\":\"100\"", "buy")).body();
            return List.of(account.get("id").asText(), account.get("account_number").asText(),
                    order.get("id").asText(), order.get("client_order_id").asText(),
                    order.get("asset_id").asText());
        };
        List<String> first = script.apply(sim);
        try (AlpacaSimServer other = AlpacaSimServer.start(0)) {
            assertThat(script.apply(other)).isEqualTo(first);
        }
    }

    @Test
    void orders_placed_while_closed_wait_and_fill_at_the_open() {
        sim.admin().createAccount("k", "s", "1000");
        SimHttp api = new SimHttp(sim.baseUrl(), "k", "s");
        sim.admin().clock(false);
        String id = api.post("/v2/orders", order("TLT", "\"notional\":\"100\"", "buy")).body().get("id").asText();

        assertThat(api.get("/v2/clock").body().get("is_open").asBoolean()).isFalse();
        Awaitility.await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(5))
                .until(() -> !"filled".equals(api.get("/v2/orders/" + id).body().get("status").asText()));

        sim.admin().clock(true);

        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> "filled".equals(api.get("/v2/orders/" + id).body().get("status").asText()));
        assertThat(new BigDecimal(api.get("/v2/account").body().get("cash").asText())).isEqualByComparingTo("900");
    }

    @Test
    void partial_fills_come_before_the_full_fill() {
        sim.admin().createAccount("k", "s", "1000");
        sim.admin().config(300, "0.5");
        SimHttp api = new SimHttp(sim.baseUrl(), "k", "s");
        String id = api.post("/v2/orders", order("TLT", "\"qty\":\"4\"", "buy")).body().get("id").asText();

        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> "partially_filled".equals(api.get("/v2/orders/" + id).body().get("status").asText()));
        assertThat(api.get("/v2/orders/" + id).body().get("filled_qty").asText()).isEqualTo("2");
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> "filled".equals(api.get("/v2/orders/" + id).body().get("status").asText()));
        assertThat(api.get("/v2/orders/" + id).body().get("filled_qty").asText()).isEqualTo("4");
    }

    @Test
    void every_order_submission_is_counted_by_client_order_id_and_outcome() {
        String id = sim.admin().createAccount("k", "s", "1000").get("id").asText();
        SimHttp api = new SimHttp(sim.baseUrl(), "k", "s");
        String once = "{\"symbol\":\"TLT\",\"notional\":\"10\",\"side\":\"buy\",\"type\":\"market\","
                + "\"time_in_force\":\"day\",\"client_order_id\":\"c-1\"}";
        assertThat(api.post("/v2/orders", once).status()).isEqualTo(200);
        assertThat(api.post("/v2/orders", once).status()).isEqualTo(422);
        assertThat(api.post("/v2/orders", once.replace("TLT", "NOPE").replace("c-1", "c-2")).status()).isEqualTo(422);
        assertThat(api.post("/v2/orders", once.replace("\"10\"", "\"5000\"").replace("c-1", "c-4")).status())
                .isEqualTo(403);
        admin.put("/sim/faults", "{\"requests_per_minute\":1,\"rate_limit_window_ms\":60000}");
        assertThat(api.post("/v2/orders", once.replace("c-1", "c-3")).status()).isEqualTo(429);

        SimAdminClient.Submissions submissions = sim.admin().submissions(id);

        assertThat(submissions.byClientOrderId().get("c-1").toString())
                .isEqualTo("{\"accepted\":1,\"duplicate\":1,\"rate_limited\":0,\"refused\":0,"
                        + "\"insufficient_buying_power\":0,\"insufficient_qty\":0}");
        assertThat(submissions.byClientOrderId().get("c-2").get("refused").asLong()).isEqualTo(1);
        assertThat(submissions.byClientOrderId().get("c-4").get("refused").asLong()).isEqualTo(1);
        assertThat(submissions.refusedForWant()).singleElement().asString()
                .isEqualTo("c-4: refused 1 times for buying power, 0 times for shares");
        assertThat(submissions.byClientOrderId().get("c-3").get("rate_limited").asLong()).isEqualTo(1);
        assertThat(submissions.orderedTwice()).singleElement().asString().startsWith("c-1:");
        assertThat(submissions.acceptedTotal()).isEqualTo(1);
    }

    @Test
    void a_margin_account_lends_beyond_its_cash_and_the_stats_show_the_lowest_cash() {
        String id = sim.admin().createAccount("k", "s", "1000").get("id").asText();
        SimHttp api = new SimHttp(sim.baseUrl(), "k", "s");
        assertRefused(admin.put("/sim/accounts/" + id + "/margin", "{\"multiplier\":\"3\"}"), 422, "multiplier");

        JsonNode account = sim.admin().margin(id, "2");

        assertThat(account.get("multiplier").asText()).isEqualTo("2");
        assertThat(account.get("buying_power").asText()).isEqualTo("2000.00");
        assertThat(account.get("non_marginable_buying_power").asText()).isEqualTo("1000.00");
        String buy = api.post("/v2/orders", order("TLT", "\"notional\":\"1500\"", "buy")).body().get("id").asText();
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> "filled".equals(api.get("/v2/orders/" + buy).body().get("status").asText()));
        assertThat(api.get("/v2/account").body().get("cash").asText()).isEqualTo("-500.00");
        assertThat(sim.admin().stats(id).get("lowest_cash").asText()).isEqualTo("-500.00");
        String clientOrderId = api.get("/v2/orders/" + buy).body().get("client_order_id").asText();
        assertThat(sim.admin().stats(id).get("cash_after_buy_fills").get(clientOrderId).asText()).as(
                "the cash right after the buy's fill").isEqualTo("-500.00");
        JsonNode dayTrader = sim.admin().margin(id, "4", 3, true);
        assertThat(dayTrader.get("daytrade_count").asInt()).isEqualTo(3);
        assertThat(dayTrader.get("pattern_day_trader").asBoolean()).isTrue();
        assertThat(api.get("/v2/orders?status=all&after=" + java.time.Instant.now().plusSeconds(60)).body()).isEmpty();
        assertThat(api.get("/v2/orders?status=all&after=" + java.time.Instant.now().minusSeconds(60)).body()).hasSize(1);
    }

    @Test
    void a_symbols_order_fault_refuses_at_the_post_or_ends_the_order_canceled_or_expired() {
        sim.admin().createAccount("k", "s", "1000");
        SimHttp api = new SimHttp(sim.baseUrl(), "k", "s");
        assertRefused(admin.put("/sim/faults/orders/TLT", "{\"fault\":\"explode\"}"), 422, "fault");

        sim.admin().orderFault("TLT", "refuse", "trade denied due to pattern day trading protection");
        SimHttp.Answer refused = api.post("/v2/orders", order("TLT", "\"notional\":\"10\"", "buy"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body().get("message").asText()).isEqualTo("trade denied due to pattern day trading protection");
        assertThat(api.post("/v2/orders", order("SPY", "\"notional\":\"10\"", "buy")).status()).isEqualTo(200);

        for (String fault : List.of("cancel", "expire")) {
            sim.admin().orderFault("TLT", fault, null);
            String id = api.post("/v2/orders", order("TLT", "\"notional\":\"10\"", "buy")).body().get("id").asText();
            String status = fault.equals("cancel") ? "canceled" : "expired";
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> status.equals(api.get("/v2/orders/" + id).body().get("status").asText()));
            JsonNode ended = api.get("/v2/orders/" + id).body();
            assertThat(ended.get(fault.equals("cancel") ? "canceled_at" : "expired_at").isNull()).isFalse();
            assertThat(ended.get("filled_qty").asText()).isEqualTo("0");
        }
        sim.admin().orderFault("TLT", "none", null);
        assertThat(api.post("/v2/orders", order("TLT", "\"notional\":\"10\"", "buy")).status()).isEqualTo(200);
    }

    @Test
    void a_cancel_with_latency_is_pending_first_and_a_fill_due_meanwhile_still_happens() {
        sim.admin().createAccount("k", "s", "1000");
        SimHttp api = new SimHttp(sim.baseUrl(), "k", "s");
        sim.admin().config(300, "0");
        sim.admin().cancelLatency(2000);
        String filled = api.post("/v2/orders", order("TLT", "\"notional\":\"10\"", "buy")).body().get("id").asText();

        assertThat(api.delete("/v2/orders/" + filled).status()).isEqualTo(204);

        assertThat(api.get("/v2/orders/" + filled).body().get("status").asText()).isEqualTo("pending_cancel");
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> "filled".equals(api.get("/v2/orders/" + filled).body().get("status").asText()));
        sim.admin().config(60_000, "0");
        String canceled = api.post("/v2/orders", order("SPY", "\"notional\":\"10\"", "buy")).body().get("id").asText();
        api.delete("/v2/orders/" + canceled);
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> "canceled".equals(api.get("/v2/orders/" + canceled).body().get("status").asText()));
    }

    static String order(String symbol, String amount, String side) {
        return "{\"symbol\":\"" + symbol + "\"," + amount + ",\"side\":\"" + side
                + "\",\"type\":\"market\",\"time_in_force\":\"day\"}";
    }

    private static void assertRefused(SimHttp.Answer answer, int status, String inMessage) {
        assertThat(answer.status()).as(answer.raw().body()).isEqualTo(status);
        assertThat(answer.body().get("message").asText()).contains(inMessage);
        assertThat(answer.body().has("code")).isTrue();
    }
}
