package dev.rebalancer.alpaca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebalancer.alpaca.model.Account;
import dev.rebalancer.alpaca.model.Activity;
import dev.rebalancer.alpaca.model.CalendarDay;
import dev.rebalancer.alpaca.model.MarketClock;
import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.alpaca.model.OrderRequest;
import dev.rebalancer.sim.AlpacaSimServer;
import dev.rebalancer.sim.SimAdminClient;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against the Alpaca paper-broker simulator: every endpoint, every classified error. */
class AlpacaClientContractTest {

    private static final AtomicInteger ACCOUNTS = new AtomicInteger();
    private static AlpacaSimServer sim;
    private static SimAdminClient admin;

    @BeforeAll
    static void start() {
        sim = AlpacaSimServer.start(0);
        admin = sim.admin();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @AfterEach
    void resetSimulator() {
        admin.faults(0, 0.0, 200, false);
        admin.config(20, "0");
        admin.clock(true);
    }

    /** A fresh account at the simulator and a client for it. */
    private static Fixture account(String cash) {
        return account(cash, AlpacaClientOptions.defaults().withBackoff(Duration.ofMillis(20), Duration.ofMillis(200)));
    }

    private static Fixture account(String cash, AlpacaClientOptions options) {
        String key = "key-" + ACCOUNTS.incrementAndGet();
        String id = admin.createAccount(key, "secret-" + key, cash).get("id").asText();
        return new Fixture(id, new AlpacaClient(new AlpacaEndpoint(sim.baseUrl(), key, "secret-" + key), options));
    }

    private record Fixture(String accountId, AlpacaClient client) {
    }

    private static Order awaitStatus(AlpacaClient client, String orderId, String status) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> status.equals(client.order(orderId).status()));
        return client.order(orderId);
    }

    @Test
    void the_account_reads_its_balances() {
        Account account = account("10000").client().account();

        assertThat(account.cash()).isEqualByComparingTo("10000");
        assertThat(account.buyingPower()).isEqualByComparingTo("10000");
        assertThat(account.equity()).isEqualByComparingTo("10000");
        assertThat(account.status()).isEqualTo("ACTIVE");
        assertThat(account.accountNumber()).startsWith("PA");
        assertThat(account.tradingBlocked()).isFalse();
    }

    @Test
    void a_notional_buy_fills_and_becomes_a_position() {
        AlpacaClient client = account("10000").client();

        Order accepted = client.submitOrder(OrderRequest.marketBuyNotional("SPY", new BigDecimal("600.10"), "rb-1-buy-SPY"));

        assertThat(accepted.clientOrderId()).isEqualTo("rb-1-buy-SPY");
        assertThat(accepted.notional()).isEqualByComparingTo("600.10");
        assertThat(accepted.status()).isEqualTo("accepted");
        Order filled = awaitStatus(client, accepted.id(), "filled");
        assertThat(filled.filledQty()).isEqualByComparingTo("1");
        assertThat(filled.filledAvgPrice()).isEqualByComparingTo("600.10");
        assertThat(filled.isTerminal()).isTrue();
        assertThat(client.positions()).singleElement().satisfies(p -> {
            assertThat(p.symbol()).isEqualTo("SPY");
            assertThat(p.qty()).isEqualByComparingTo("1");
            assertThat(p.marketValue()).isEqualByComparingTo("600.10");
        });
        assertThat(client.position("SPY")).isPresent();
        assertThat(client.position("TLT")).isEmpty();
        assertThat(client.account().cash()).isEqualByComparingTo("9399.90");
    }

    @Test
    void orders_are_listed_by_status_limit_and_direction() {
        AlpacaClient client = account("10000").client();
        admin.clock(false);
        Order first = client.submitOrder(OrderRequest.marketBuyNotional("SPY", new BigDecimal("10"), "o-1"));
        Order second = client.submitOrder(OrderRequest.marketBuyNotional("TLT", new BigDecimal("10"), "o-2"));
        Order third = client.submitOrder(OrderRequest.marketBuyNotional("GLD", new BigDecimal("10"), "o-3"));

        assertThat(client.orders("open", 2, "asc")).extracting(Order::id).containsExactly(first.id(), second.id());
        assertThat(client.orders("all", 50, "desc")).extracting(Order::id)
                .containsExactly(third.id(), second.id(), first.id());
        assertThat(client.orders("closed", 50, "desc")).isEmpty();
    }

    @Test
    void an_order_is_found_by_its_client_order_id() {
        AlpacaClient client = account("1000").client();
        Order sent = client.submitOrder(OrderRequest.marketBuyNotional("TLT", new BigDecimal("50"), "run-7-buys-TLT"));

        assertThat(client.orderByClientOrderId("run-7-buys-TLT")).get().extracting(Order::id).isEqualTo(sent.id());
        assertThat(client.orderByClientOrderId("run-7-buys-GLD")).isEmpty();
    }

    @Test
    void an_open_order_is_canceled_and_cannot_be_canceled_twice() {
        AlpacaClient client = account("1000").client();
        admin.clock(false);
        Order sent = client.submitOrder(OrderRequest.marketBuyNotional("TLT", new BigDecimal("50"), "c-1"));

        client.cancelOrder(sent.id());

        assertThat(client.order(sent.id()).status()).isEqualTo("canceled");
        assertThatThrownBy(() -> client.cancelOrder(sent.id()))
                .isInstanceOfSatisfying(AlpacaException.ClientError.class, e -> assertThat(e.status()).isEqualTo(422));
        assertThatThrownBy(() -> client.order("no-such-order")).isInstanceOf(AlpacaException.NotFound.class);
    }

    @Test
    void closing_a_position_sells_all_of_it() {
        AlpacaClient client = account("1000").client();
        Order buy = client.submitOrder(OrderRequest.marketBuyQty("TLT", new BigDecimal("2"), "p-1"));
        awaitStatus(client, buy.id(), "filled");

        Order sell = client.closePosition("TLT");

        assertThat(sell.side()).isEqualTo("sell");
        assertThat(sell.qty()).isEqualByComparingTo("2");
        awaitStatus(client, sell.id(), "filled");
        assertThat(client.positions()).isEmpty();
        assertThat(client.account().cash()).isEqualByComparingTo("1000");
    }

    @Test
    void deposits_are_read_page_by_page_oldest_first() {
        Fixture account = account("0");
        String first = admin.deposit(account.accountId(), "100").get("id").asText();
        String second = admin.deposit(account.accountId(), "200").get("id").asText();
        String third = admin.deposit(account.accountId(), "300.25").get("id").asText();
        AlpacaClient client = account.client();

        List<Activity> page = client.activities(List.of("CSD", "JNLC"), null, null, 2);
        assertThat(page).extracting(Activity::id).containsExactly(first, second);
        assertThat(client.activities(List.of("CSD", "JNLC"), null, second, 2)).extracting(Activity::id).containsExactly(third);
        assertThat(client.activitiesAfter(List.of("CSD", "JNLC"), null, null)).extracting(Activity::netAmount)
                .usingElementComparator(BigDecimal::compareTo)
                .containsExactly(new BigDecimal("100"), new BigDecimal("200"), new BigDecimal("300.25"));
        assertThat(client.activitiesAfter(List.of("CSD"), null, first)).extracting(Activity::id).containsExactly(second, third);
        assertThat(client.activitiesAfter(List.of("JNLC"), null, null)).isEmpty();
        assertThat(page.get(0).activityType()).isEqualTo("CSD");
    }

    /** Executions read as FILL activities: the order, side, symbol, quantity, price and when; deposits left out. */
    @Test
    void fills_are_read_as_fill_activities_with_their_order() {
        Fixture account = account("0");
        java.time.Instant at = java.time.Instant.parse("2026-09-01T15:00:00Z");
        admin.deposit(account.accountId(), "1000");
        admin.asset("FILLX", "40", true, true);
        admin.holdBoughtAt(account.accountId(), "FILLX", "5", "40", at);
        AlpacaClient client = account.client();

        List<Activity> fills = client.activitiesAfter(List.of("FILL"), null, null);

        assertThat(fills).singleElement().satisfies(fill -> {
            assertThat(fill.activityType()).isEqualTo("FILL");
            assertThat(fill.type()).isEqualTo("fill");
            assertThat(fill.side()).isEqualTo("buy");
            assertThat(fill.symbol()).isEqualTo("FILLX");
            assertThat(fill.qty()).isEqualByComparingTo("5");
            assertThat(fill.price()).isEqualByComparingTo("40");
            assertThat(fill.transactionTime()).isEqualTo(at);
            assertThat(fill.orderId()).isNotBlank();
            assertThat(fill.orderStatus()).isEqualTo("filled");
        });
    }

    @Test
    void the_clock_and_assets_are_read() {
        AlpacaClient client = account("0").client();

        MarketClock open = client.clock();
        assertThat(open.isOpen()).isTrue();
        assertThat(open.untilClose()).isGreaterThan(Duration.ofMinutes(15));
        admin.clock(false);
        assertThat(client.clock().isOpen()).isFalse();
        assertThat(client.clock().untilClose()).isZero();

        assertThat(client.asset("SPY")).get().satisfies(asset -> {
            assertThat(asset.fractionable()).isTrue();
            assertThat(asset.tradable()).isTrue();
            assertThat(asset.assetClass()).isEqualTo("us_equity");
        });
        assertThat(client.asset("NOPE")).isEmpty();
    }

    @Test
    void the_calendar_lists_trading_days_with_their_early_closes() {
        AlpacaClient client = account("0").client();
        admin.calendar(List.of("2031-07-04"), Map.of("2031-07-03", "13:00"));

        List<CalendarDay> days = client.calendar(LocalDate.parse("2031-07-02"), LocalDate.parse("2031-07-07"));

        assertThat(days).extracting(CalendarDay::date).containsExactly(LocalDate.parse("2031-07-02"),
                LocalDate.parse("2031-07-03"), LocalDate.parse("2031-07-07"));
        assertThat(days.get(1).close()).isEqualTo(LocalTime.of(13, 0));
        assertThat(days.get(1).closesAt().toInstant()).isEqualTo(Instant.parse("2031-07-03T17:00:00Z"));
        assertThat(days.get(0).opensAt().toInstant()).isEqualTo(Instant.parse("2031-07-02T13:30:00Z"));
    }

    @Test
    void insufficient_buying_power_is_its_own_error() {
        AlpacaClient client = account("100").client();

        assertThatThrownBy(() -> client.submitOrder(OrderRequest.marketBuyNotional("SPY", new BigDecimal("500"), "ibp")))
                .isInstanceOfSatisfying(AlpacaException.InsufficientBuyingPower.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.code()).contains(40310000);
                    assertThat(e.alpacaMessage()).isEqualTo("insufficient buying power");
                    assertThat(e.outcomeUnknown()).isFalse();
                });
    }

    @Test
    void a_fractional_order_for_a_whole_share_asset_is_refused_as_not_fractionable() {
        admin.asset("WHOLE", "50", false, true);
        AlpacaClient client = account("1000").client();

        assertThatThrownBy(() -> client.submitOrder(OrderRequest.marketBuyQty("WHOLE", new BigDecimal("1.5"), "nf")))
                .isInstanceOf(AlpacaException.NotFractionable.class);
        assertThat(client.submitOrder(OrderRequest.marketBuyQty("WHOLE", new BigDecimal("2"), "whole")).status())
                .isEqualTo("accepted");
    }

    @Test
    void a_reused_client_order_id_is_refused_as_duplicate() {
        AlpacaClient client = account("1000").client();
        client.submitOrder(OrderRequest.marketBuyNotional("TLT", new BigDecimal("10"), "same-id"));

        assertThatThrownBy(() -> client.submitOrder(OrderRequest.marketBuyNotional("GLD", new BigDecimal("10"), "same-id")))
                .isInstanceOfSatisfying(AlpacaException.DuplicateClientOrderId.class,
                        e -> assertThat(e.status()).isEqualTo(422));
    }

    @Test
    void an_opposite_order_on_the_same_symbol_while_one_is_open_is_a_wash_trade() {
        AlpacaClient client = account("1000").client();
        Order buy = client.submitOrder(OrderRequest.marketBuyQty("TLT", new BigDecimal("2"), "w-1"));
        awaitStatus(client, buy.id(), "filled");
        admin.clock(false);
        client.submitOrder(OrderRequest.marketBuyQty("TLT", new BigDecimal("1"), "w-2"));

        assertThatThrownBy(() -> client.submitOrder(OrderRequest.marketSellQty("TLT", new BigDecimal("1"), "w-3")))
                .isInstanceOf(AlpacaException.WashTrade.class);
    }

    @Test
    void selling_more_than_is_held_is_insufficient_qty() {
        AlpacaClient client = account("1000").client();

        assertThatThrownBy(() -> client.submitOrder(OrderRequest.marketSellQty("TLT", new BigDecimal("1"), "iq")))
                .isInstanceOf(AlpacaException.InsufficientQty.class);
    }

    @Test
    void a_buy_under_one_dollar_is_a_client_error_with_alpacas_message() {
        AlpacaClient client = account("1000").client();

        assertThatThrownBy(() -> client.submitOrder(OrderRequest.marketBuyNotional("TLT", new BigDecimal("0.50"), "tiny")))
                .isInstanceOfSatisfying(AlpacaException.ClientError.class, e -> {
                    assertThat(e.status()).isEqualTo(422);
                    assertThat(e.alpacaMessage()).isEqualTo("cost basis must be >= 1");
                });
    }

    @Test
    void an_injected_rejection_carries_alpacas_message() {
        AlpacaClient client = account("1000").client();
        admin.faults(1, null, null, null);

        assertThatThrownBy(() -> client.submitOrder(OrderRequest.marketBuyNotional("TLT", new BigDecimal("10"), "r-1")))
                .isInstanceOfSatisfying(AlpacaException.ClientError.class,
                        e -> assertThat(e.alpacaMessage()).contains("rejected"));
        assertThat(client.submitOrder(OrderRequest.marketBuyNotional("TLT", new BigDecimal("10"), "r-2")).status())
                .isEqualTo("accepted");
    }

    @Test
    void wrong_keys_are_unauthorized() {
        Fixture account = account("10");
        AlpacaClientOptions options = AlpacaClientOptions.defaults();
        AlpacaClient unknownKey = new AlpacaClient(new AlpacaEndpoint(sim.baseUrl(), "nobody", "x"), options);
        String key = account.client().endpoint().keyId();
        AlpacaClient wrongSecret = new AlpacaClient(new AlpacaEndpoint(sim.baseUrl(), key, "wrong"), options);

        assertThatThrownBy(unknownKey::account)
                .isInstanceOfSatisfying(AlpacaException.Unauthorized.class, e -> assertThat(e.status()).isEqualTo(401));
        assertThatThrownBy(wrongSecret::account)
                .isInstanceOfSatisfying(AlpacaException.Unauthorized.class, e -> assertThat(e.status()).isEqualTo(403));
    }

    @Test
    void past_alpacas_budget_a_429_says_when_it_resets() {
        AlpacaClient other = account("10").client();
        AlpacaClient oneAttempt = new AlpacaClient(other.endpoint(),
                new AlpacaClientOptions(Duration.ofSeconds(5), Duration.ofSeconds(5), 200, 1, Duration.ofMillis(1),
                        Duration.ofMillis(1)));
        admin.faults(null, null, 2, null);
        other.clock();
        other.clock();

        assertThatThrownBy(oneAttempt::clock).isInstanceOfSatisfying(AlpacaException.RateLimited.class, e -> {
            assertThat(e.status()).isEqualTo(429);
            assertThat(e.resetAt()).get().satisfies(reset -> assertThat(reset).isAfter(Instant.now()));
        });
    }

    @Test
    void a_429_is_honoured_by_waiting_for_the_reset_then_the_call_goes_through() {
        Fixture account = account("10");
        List<Duration> waits = new CopyOnWriteArrayList<>();
        AlpacaClient client = clientWatchingWaits(account, AlpacaClientOptions.defaults(), waits);
        admin.faults(null, null, 1, null);
        account.client().clock();

        assertThat(client.clock().isOpen()).isTrue();
        assertThat(waits).singleElement().satisfies(wait -> assertThat(wait).isGreaterThan(Duration.ofSeconds(1)));
    }

    @Test
    void when_alpaca_says_none_remain_the_client_waits_for_the_reset_instead_of_meeting_a_429() {
        Fixture account = account("10");
        List<Duration> waits = new CopyOnWriteArrayList<>();
        AlpacaClient client = clientWatchingWaits(account, AlpacaClientOptions.defaults(), waits);
        admin.faults(null, null, 1, null);
        client.clock();
        assertThat(waits).isEmpty();

        assertThat(client.clock().isOpen()).isTrue();
        assertThat(waits).singleElement().satisfies(wait -> assertThat(wait).isGreaterThan(Duration.ofSeconds(1)));
    }

    @Test
    void the_client_never_sends_more_than_its_budget_per_minute() {
        Fixture account = account("10");
        List<Duration> waits = new CopyOnWriteArrayList<>();
        AlpacaClient client = clientWatchingWaits(account, AlpacaClientOptions.defaults().withRequestsPerMinute(3), waits);

        for (int i = 0; i < 4; i++) {
            client.clock();
        }

        assertThat(waits).containsExactly(Duration.ofMinutes(1));
    }

    @Test
    void each_request_is_counted_with_what_it_is_for_and_the_background_view_spends_from_the_same_budget() {
        Fixture account = account("1000");
        List<RequestBudget.Purpose> counted = new CopyOnWriteArrayList<>();
        RequestBudget recording = new RequestBudget() {
            @Override
            public void acquire(Purpose purpose) {
                counted.add(purpose);
            }

            @Override
            public void pauseUntil(Instant until) {
            }
        };
        AlpacaClient client = new AlpacaClient(account.client().endpoint(), AlpacaClientOptions.defaults(), recording);

        Order order = client.submitOrder(OrderRequest.marketBuyNotional("SPY", new BigDecimal("10"), "purpose-1"));
        client.order(order.id());
        client.orderByClientOrderId("purpose-1");
        client.account();
        client.positions();
        client.background().account();
        client.background().orders("all", 10, "asc");

        assertThat(counted).containsExactly(RequestBudget.Purpose.ORDER, RequestBudget.Purpose.FILL_CHECK,
                RequestBudget.Purpose.FILL_CHECK, RequestBudget.Purpose.READ, RequestBudget.Purpose.READ,
                RequestBudget.Purpose.BACKGROUND, RequestBudget.Purpose.BACKGROUND);
        assertThat(client.requestsSent()).isEqualTo(7);
    }

    /** A client whose waits are recorded and skipped: each wait moves its clock and lifts the simulator's limit. */
    private static AlpacaClient clientWatchingWaits(Fixture account, AlpacaClientOptions options, List<Duration> waits) {
        MutableClock clock = new MutableClock(Instant.now());
        return new AlpacaClient(account.client().endpoint(), options, clock, wait -> {
            waits.add(wait);
            clock.advance(wait);
            admin.faults(null, null, 200, null);
        });
    }

    @Test
    void a_read_that_meets_a_server_error_is_repeated() {
        AlpacaClient client = account("10").client();
        admin.faults(null, 0.5, null, null);

        assertThat(client.clock().isOpen()).isTrue();
        assertThat(client.account().cash()).isEqualByComparingTo("10");
    }

    @Test
    void an_order_submission_that_meets_a_server_error_is_not_repeated_and_is_found_by_lookup() {
        AlpacaClient client = account("1000").client();
        admin.faults(null, 0.5, null, null);
        client.clock();

        assertThatThrownBy(() -> client.submitOrder(OrderRequest.marketBuyNotional("TLT", new BigDecimal("10"), "amb-1")))
                .isInstanceOfSatisfying(AlpacaException.ServerError.class, e -> {
                    assertThat(e.status()).isEqualTo(500);
                    assertThat(e.outcomeUnknown()).isTrue();
                });
        admin.faults(null, 0.0, null, null);
        assertThat(client.orderByClientOrderId("amb-1")).isPresent();
        assertThat(client.orders("all", 50, "desc")).extracting(Order::clientOrderId).containsExactly("amb-1");
    }

    @Test
    void every_request_is_told_to_the_observer_with_its_endpoint_and_status_and_the_budget_left_is_known() {
        Fixture account = account("100");
        List<String> told = new CopyOnWriteArrayList<>();
        AlpacaClient client = account.client().observedBy((method, endpoint, status, took) -> {
            assertThat(took).isPositive();
            told.add(method + " " + endpoint + " " + status);
        });

        client.account();
        assertThat(client.position("SPY")).isEmpty();
        String clientOrderId = "observed-1";
        Order order = client.submitOrder(OrderRequest.marketBuyNotional("SPY", new BigDecimal("10"), clientOrderId));
        client.background().order(order.id());
        assertThatThrownBy(() -> client.submitOrder(OrderRequest.marketBuyNotional("SPY", new BigDecimal("5000"),
                "observed-2"))).isInstanceOf(AlpacaException.class);

        assertThat(told).containsExactly("GET /v2/account 200", "GET /v2/positions/{id} 404", "POST /v2/orders 200",
                "GET /v2/orders/{id} 200", "POST /v2/orders 403");
        // A client with its own budget: the default 200 a minute, five of them spent.
        assertThat(client.budgetRemaining()).hasValue(AlpacaClientOptions.ALPACA_REQUESTS_PER_MINUTE - 5);
    }

    @Test
    void an_endpoint_names_the_resource_and_hides_ids_symbols_and_types() {
        assertThat(RequestObserver.endpointOf("/v2/orders?status=all&limit=50")).isEqualTo("/v2/orders");
        assertThat(RequestObserver.endpointOf("/v2/orders/" + java.util.UUID.randomUUID())).isEqualTo("/v2/orders/{id}");
        assertThat(RequestObserver.endpointOf("/v2/orders:by_client_order_id?client_order_id=x"))
                .isEqualTo("/v2/orders:by_client_order_id");
        assertThat(RequestObserver.endpointOf("/v2/positions/BRK.B")).isEqualTo("/v2/positions/{id}");
        assertThat(RequestObserver.endpointOf("/v2/account/activities/CSD?after=x")).isEqualTo("/v2/account/activities/{id}");
        assertThat(RequestObserver.endpointOf("/v2/account/activities")).isEqualTo("/v2/account/activities");
    }

    /**
     * Daily bars from the market data API's path on the simulator (Alpaca's own data host for Alpaca's endpoints):
     * every page read, each bar's day in New York time, bars outside the dates left out.
     */
    @Test
    void daily_bars_are_read_page_by_page_between_the_dates() {
        Map<LocalDate, String> closes = new java.util.TreeMap<>();
        for (int i = 0; i < 1500; i++) {
            closes.put(LocalDate.parse("2020-01-01").plusDays(i), new BigDecimal("300").add(BigDecimal.valueOf(i))
                    .toPlainString());
        }
        admin.closes("SPY", closes);

        List<dev.rebalancer.alpaca.model.Bar> bars = account("0").client().dailyBars("SPY",
                LocalDate.parse("2020-01-11"), LocalDate.parse("2024-01-31"));

        assertThat(bars).as("every day from 11 January 2020 to 31 January 2024, over two pages of 1,000")
                .hasSize(366 + 365 + 365 + 365 - 10 + 31);
        assertThat(bars.get(0).day()).isEqualTo(LocalDate.parse("2020-01-11"));
        assertThat(bars.get(0).time()).isEqualTo(Instant.parse("2020-01-11T05:00:00Z"));
        assertThat(bars.get(0).close()).isEqualByComparingTo("310");
        assertThat(bars.get(bars.size() - 1).day()).isEqualTo(LocalDate.parse("2024-01-31"));
        assertThat(bars).extracting(dev.rebalancer.alpaca.model.Bar::day).doesNotHaveDuplicates().isSorted();
        assertThat(account("0").client().dailyBars("QQQ", LocalDate.parse("2020-01-11"),
                LocalDate.parse("2020-01-31"))).as("no bars of a symbol without data").isEmpty();
        assertThat(new AlpacaEndpoint(AlpacaEndpoint.PAPER, "k", "s").dataUrl()).isEqualTo(AlpacaEndpoint.DATA);
        assertThat(new AlpacaEndpoint(AlpacaEndpoint.LIVE, "k", "s").dataUrl()).isEqualTo(AlpacaEndpoint.DATA);
        assertThat(new AlpacaEndpoint(sim.baseUrl(), "k", "s").dataUrl()).isEqualTo(sim.baseUrl());
    }

    /**
     * {@code GET /v2/stocks/bars} of several symbols: 700 days of each of two symbols are 1,400 bars, more than a page
     * of 1,000 across both, so the second symbol is split over two pages; each symbol's bars come whole and in order.
     * The adjustment is sent as asked: a split before the dates halves nothing, one inside halves the closes before it
     * unless the bars are raw.
     */
    @Test
    void daily_bars_of_several_symbols_are_read_across_pages_and_adjusted_as_asked() {
        Map<LocalDate, String> first = new java.util.TreeMap<>();
        Map<LocalDate, String> second = new java.util.TreeMap<>();
        for (int i = 0; i < 700; i++) {
            first.put(LocalDate.parse("2021-01-01").plusDays(i), "100");
            second.put(LocalDate.parse("2021-01-01").plusDays(i), i < 600 ? "80" : "40");
        }
        admin.closes("AAA", first);
        admin.closes("BBB", second, Map.of(), Map.of(LocalDate.parse("2021-01-01").plusDays(600), "2"));
        AlpacaClient client = account("0").client();

        Map<String, List<dev.rebalancer.alpaca.model.Bar>> bars = client.dailyBars(List.of("BBB", "AAA", "CCC"),
                LocalDate.parse("2021-01-01"), LocalDate.parse("2022-12-01"), dev.rebalancer.alpaca.model.Bar
                        .Adjustment.SPLIT);

        assertThat(bars).containsOnlyKeys("AAA", "BBB");
        assertThat(bars.get("AAA")).hasSize(700);
        assertThat(bars.get("BBB")).hasSize(700).extracting(dev.rebalancer.alpaca.model.Bar::day)
                .doesNotHaveDuplicates().isSorted();
        assertThat(bars.get("BBB")).extracting(dev.rebalancer.alpaca.model.Bar::close)
                .allSatisfy(close -> assertThat(close).isEqualByComparingTo("40"));
        assertThat(client.dailyBars(List.of("BBB"), LocalDate.parse("2021-01-01"), LocalDate.parse("2021-01-01"),
                dev.rebalancer.alpaca.model.Bar.Adjustment.RAW).get("BBB").get(0).close()).isEqualByComparingTo("80");
        assertThat(client.dailyBars(List.of("BBB"), LocalDate.parse("2021-01-01"), LocalDate.parse("2021-01-01"),
                dev.rebalancer.alpaca.model.Bar.Adjustment.ALL).get("BBB").get(0).close()).isEqualByComparingTo("40");
    }
}
