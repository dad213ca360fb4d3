package dev.rebalancer.executor.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunCancellation;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunPhase;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.SkippedOrder;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.TradingHalt;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.executor.alpaca.Brokers;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Runs end to end: requests from Kafka, orders at the Alpaca simulator, run events and alerts on Kafka. */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "executor"))
@WithTestResource(AlpacaSimResource.class)
class RunExecutionTest {

    static final List<Weight> SPY_TLT = List.of(Weight.cash("5"), Weight.asset("SPY", "50"), Weight.asset("TLT", "45"));
    static final List<Weight> SPY_ONLY = List.of(Weight.cash("5"), Weight.asset("SPY", "95"));
    static final Duration RUN_TIME = Duration.ofSeconds(30);

    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    RunStore store;
    @Inject
    RunWorkers workers;
    @Inject
    Checkpoints checkpoints;
    @Inject
    Brokers brokers;
    @Inject
    RunDriver driver;
    @Inject
    TradingHaltState haltState;
    @Inject
    Db db;
    @Inject
    dev.rebalancer.executor.messaging.RequestsConsumer requests;

    Harness harness;

    @BeforeEach
    void setUp() {
        harness = new Harness(simulator, bootstrap);
        // Some tests set the halt switch directly: the harness's "not halted" must not arrive in the middle.
        harness.awaitResumeApplied(db);
    }

    @AfterEach
    void tearDown() throws Exception {
        checkpoints.hook((point, run) -> {
        });
        harness.sendRaw(Topics.CONTROL, TradingHalt.KEY, EventJson.write(new TradingHalt(
                UUID.randomUUID().toString(), Instant.now(), false, null)));
        harness.close();
    }

    @Test
    void a_full_rebalance_sells_awaits_the_fills_then_buys_and_a_repeated_request_is_one_run() throws Exception {
        String account = harness.account("exec-t1", "10000");
        harness.hold("exec-t1", "SPY", "14"); // $7,000 of SPY, $3,000 cash
        RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null, SPY_TLT);
        harness.send(request, account);
        harness.send(request, account);

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        // Targets of $10,000: SPY $5,000 (sell 4 of 14 shares at $500), TLT $4,500 (buy), cash $500 kept.
        assertThat(done.orders()).extracting(RunOrder::side, RunOrder::symbol, RunOrder::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(OrderSide.SELL, "SPY", "filled"),
                        org.assertj.core.groups.Tuple.tuple(OrderSide.BUY, "TLT", "filled"));
        assertThat(done.orders().get(0).qty()).isEqualByComparingTo("4");
        assertThat(done.orders().get(1).notional()).isEqualByComparingTo("4500.00");
        assertThat(harness.events(request.runId())).extracting(RunEvent::status, RunEvent::phase).containsExactly(
                org.assertj.core.groups.Tuple.tuple(RunStatus.QUEUED, null),
                org.assertj.core.groups.Tuple.tuple(RunStatus.IN_PROGRESS, RunPhase.SELLS),
                org.assertj.core.groups.Tuple.tuple(RunStatus.IN_PROGRESS, RunPhase.BUYS),
                org.assertj.core.groups.Tuple.tuple(RunStatus.COMPLETED_SUCCESS, null));
        List<Order> orders = harness.orders("exec-t1");
        Order sell = orders.get(1);
        Order buy = orders.get(2);
        assertThat(sell.side()).isEqualTo("sell");
        assertThat(buy.createdAt()).isAfterOrEqualTo(sell.filledAt());
        assertThat(sell.clientOrderId()).isEqualTo(Leg.clientOrderId(request.runId(), RunPhase.SELLS, "SPY"));
        assertThat(store.runsOf(account)).hasSize(1);
    }

    /**
     * A portfolio that rebalances to its bands' edges: the executor plans with the request's bands and trade costs, and
     * the run records its turnover and estimated cost.
     */
    @Test
    void a_portfolio_rebalancing_to_the_band_edge_trades_to_just_inside_it_and_the_run_records_turnover_and_cost()
            throws Exception {
        String account = harness.account("exec-t36", "10000");
        harness.hold("exec-t36", "SPY", "14"); // $7,000 of SPY (70 %), $3,000 cash
        List<dev.rebalancer.contracts.RebalanceCondition> fivePoints = List.of(new dev.rebalancer.contracts
                .RebalanceCondition(dev.rebalancer.contracts.ConditionType.DRIFT_BAND,
                dev.rebalancer.contracts.ConditionSubType.ABSOLUTE, new BigDecimal("5"), null));
        dev.rebalancer.contracts.TradeCosts toEdge = new dev.rebalancer.contracts.TradeCosts(null, null, null, null,
                null, null, dev.rebalancer.contracts.TradeCosts.RebalanceTo.BAND_EDGE);
        RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null, SPY_TLT, fivePoints,
                new dev.rebalancer.contracts.Strategies(toEdge));
        harness.send(request, account);

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);

        // Equity $10,000. SPY is past 50 % ± 5: it goes to a dollar inside 55 %, $5,499 — sell $1,501, 3.002 shares
        // at $500. TLT is past 45 % ± 5: a dollar inside 40 %, $4,001. Cash is left at $500, its 5 % target.
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(done.orders()).extracting(RunOrder::side, RunOrder::symbol).containsExactly(
                org.assertj.core.groups.Tuple.tuple(OrderSide.SELL, "SPY"),
                org.assertj.core.groups.Tuple.tuple(OrderSide.BUY, "TLT"));
        assertThat(done.orders().get(0).qty()).isEqualByComparingTo("3.002");
        assertThat(done.orders().get(1).notional()).isEqualByComparingTo("4001.00");
        // Turnover $1,501 + $4,001 at the fills; the default 2 bps of spread: $0.31 + $0.81 (each up to the cent).
        assertThat(done.turnover()).isEqualByComparingTo("5502.00");
        assertThat(done.estimatedCost()).isEqualByComparingTo("1.12");
    }

    /**
     * Tax-loss harvesting on the simulator: VOO bought at $500 drops to $450; a harvest run sells it (a $500 loss, first
     * in, first out) and buys VTI for the proceeds, and says so; a deposit inside the 30 days then buys VTI for VOO's
     * weight, never VOO — at the simulator's own record of orders.
     */
    @Test
    void a_harvest_sells_the_loser_buys_its_substitute_and_a_deposit_inside_the_window_buys_the_substitute()
            throws Exception {
        harness.sim.asset("VOO", "500", true, true);
        harness.sim.asset("VTI", "250", true, true);
        String account = harness.account("exec-t37", "5000");
        // $5,000 of VOO bought at $500 60 days ago (its FILL activity says when), nothing else.
        harness.sim.holdBoughtAt(account, "VOO", "10", "500", Instant.now().minus(Duration.ofDays(60)));
        harness.sim.asset("VOO", "450", true, true); // now $4,500: a $500 loss, 10 %
        List<Weight> vooOnly = List.of(Weight.asset("VOO", "100"));
        dev.rebalancer.contracts.Strategies harvesting = new dev.rebalancer.contracts.Strategies(null,
                dev.rebalancer.contracts.TaxLossHarvesting.defaults());

        RebalanceRequest harvest = harness.request(account, RunType.TAX_LOSS_HARVEST, null, vooOnly, List.of(),
                harvesting);
        harness.send(harvest, account);
        RunEvent harvested = harness.awaitFinal(harvest.runId(), RUN_TIME);

        assertThat(harvested.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(harvested.orders()).extracting(RunOrder::side, RunOrder::symbol).containsExactly(
                org.assertj.core.groups.Tuple.tuple(OrderSide.SELL, "VOO"),
                org.assertj.core.groups.Tuple.tuple(OrderSide.BUY, "VTI"));
        assertThat(harvested.orders().get(0).qty()).isEqualByComparingTo("10");
        // The $4,500 the sell brought, but the reserve: the account held no cash, and 25 bps of its $4,500 ($11.25)
        // stay in cash.
        assertThat(harvested.orders().get(1).notional()).isEqualByComparingTo("4488.75");
        Order sold = harness.orders("exec-t37").stream().filter(o -> o.side().equals("sell")).findFirst().orElseThrow();
        java.time.LocalDate until = sold.filledAt().plus(Duration.ofDays(30))
                .atZone(java.time.ZoneId.of("America/New_York")).toLocalDate();
        assertThat(harvested.reason()).isEqualTo("sold VOO at a $500.00 loss, bought VTI; VOO blocked until " + until);
        assertThat(harvested.harvestedLoss()).isEqualByComparingTo("500.00");

        RebalanceRequest deposit = harness.request(account, RunType.INVEST_CASH, "1000", vooOnly, List.of(),
                harvesting);
        harness.sim.deposit(account, "1000");
        harness.send(deposit, account);
        RunEvent invested = harness.awaitFinal(deposit.runId(), RUN_TIME);

        assertThat(invested.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(invested.orders()).extracting(RunOrder::symbol).containsExactly("VTI");
        assertThat(harness.orders("exec-t37")).filteredOn(o -> o.side().equals("buy"))
                .extracting(Order::symbol).containsExactly("VTI", "VTI");
    }

    /**
     * A security bought in the last 30 days is not harvested, whoever bought it: the account's own purchase today of
     * one more VOO, an order the rebalancer did not send, is in the ledger through Alpaca's FILL activities.
     */
    @Test
    void a_security_bought_elsewhere_in_the_last_30_days_is_not_harvested() throws Exception {
        harness.sim.asset("VOO", "500", true, true);
        harness.sim.asset("VTI", "250", true, true);
        String account = harness.account("exec-t38", "5500");
        harness.sim.holdBoughtAt(account, "VOO", "10", "500", Instant.now().minus(Duration.ofDays(60)));
        harness.hold("exec-t38", "VOO", "1"); // today, outside the rebalancer
        harness.sim.asset("VOO", "450", true, true); // a 10 % loss on every lot
        RebalanceRequest harvest = harness.request(account, RunType.TAX_LOSS_HARVEST, null,
                List.of(Weight.asset("VOO", "100")), List.of(), new dev.rebalancer.contracts.Strategies(null,
                        dev.rebalancer.contracts.TaxLossHarvesting.defaults()));

        harness.send(harvest, account);
        RunEvent done = harness.awaitFinal(harvest.runId(), RUN_TIME);

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(done.orders()).isEmpty();
        assertThat(done.reason()).isEqualTo("nothing to harvest: no position past its loss threshold and bought over 30 days ago");
        assertThat(harness.orders("exec-t38")).filteredOn(o -> o.side().equals("sell")).isEmpty();
    }

    @Test
    void insufficient_buying_power_ends_the_run_adjusted_with_alpacas_message_and_an_alert() throws Exception {
        String account = harness.account("exec-t2", "10000");
        // Buying power spent elsewhere between the plan and the order (another program on the same account): Alpaca
        // refuses the buy with its message.
        harness.orderFault("SPY", "refuse", "insufficient buying power");
        RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "5000", SPY_ONLY);
        harness.send(request, account);

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_ADJUSTED);
        assertThat(done.orders()).isEmpty();
        assertThat(done.failedOrders()).singleElement().satisfies(failed -> {
            assertThat(failed.symbol()).isEqualTo("SPY");
            assertThat(failed.reason()).contains("insufficient buying power");
        });
        List<String> alerts = harness.alerts.await(r -> r.value().contains(request.runId()), 2).stream()
                .map(r -> r.value()).toList();
        assertThat(alerts).anyMatch(a -> a.contains("Order rejected") && a.contains("insufficient buying power"));
        assertThat(alerts).anyMatch(a -> a.contains("Run completed with adjustments"));
    }

    @Test
    void cash_held_for_open_buys_is_not_planned_again_so_no_buy_is_refused() throws Exception {
        String account = harness.account("exec-t18", "10000");
        harness.sim.config(4000, "0");
        // An order of the account's own holds $9,000 of its buying power while it waits for its fill: Alpaca's
        // non_marginable_buying_power says $1,000 can be spent; the reserve ($25) stays.
        harness.client("exec-t18").submitOrder(dev.rebalancer.alpaca.model.OrderRequest.marketBuyNotional("GLD",
                new BigDecimal("9000"), null));
        RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "5000", SPY_ONLY);
        harness.send(request, account);

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(done.failedOrders()).isEmpty();
        assertThat(done.orders()).singleElement().satisfies(buy -> {
            assertThat(buy.symbol()).isEqualTo("SPY");
            assertThat(buy.notional()).isEqualByComparingTo("975.00");
        });
        assertThat(harness.lowestCash(account)).isGreaterThanOrEqualTo(BigDecimal.ZERO);
        assertThat(buysReserve(request.runId())).as("25 bp of $10,000 equity, on record").isEqualByComparingTo("25.00");
    }

    /**
     * A sell that never fills — refused at the POST, or accepted and then canceled or expired — brings no proceeds, so
     * the buys after it are sized on the cash that is there: no buy is refused for buying power, and on a margin
     * account, which would lend the difference, nothing is borrowed. (Accounts of $40,000: under $25,000 a margin account
     * would not sell shares bought the same day at all.)
     */
    @ParameterizedTest(name = "{0} sell on a {1} account")
    @CsvSource({"refuse, cash, exec-t15", "cancel, margin, exec-t16", "expire, margin, exec-t17"})
    void the_buys_after_a_sell_that_never_filled_spend_only_the_cash_that_is_there(String fault, String kind,
            String key) throws Exception {
        String account = harness.account(key, "40000");
        harness.hold(key, "SPY", "56"); // $28,000 of SPY, $12,000 cash
        if (kind.equals("margin")) {
            harness.sim.margin(account, "2");
        }
        harness.orderFault("SPY", fault, "trade denied due to pattern day trading protection");
        RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null, SPY_TLT);
        harness.send(request, account);

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_ADJUSTED);
        assertThat(done.failedOrders()).singleElement().satisfies(failed -> {
            assertThat(failed.side()).isEqualTo(OrderSide.SELL);
            assertThat(failed.symbol()).isEqualTo("SPY");
            if (fault.equals("refuse")) {
                assertThat(failed.reason()).isEqualTo("trade denied due to pattern day trading protection");
            } else {
                assertThat(failed.status()).isEqualTo(fault.equals("cancel") ? "canceled" : "expired");
            }
        });
        // $12,000 there (the plan counted on $8,000 more from the sell, for TLT's $18,000 target); cash may fall to the
        // larger of the reserve ($100) and its target less the largest deviation.
        assertThat(done.orders()).singleElement().satisfies(buy -> {
            assertThat(buy.side()).isEqualTo(OrderSide.BUY);
            assertThat(buy.symbol()).isEqualTo("TLT");
            assertThat(buy.status()).isEqualTo("filled");
            assertThat(buy.notional()).isEqualByComparingTo("11900.00");
        });
        assertThat(harness.lowestCash(account)).as("the account's lowest cash").isGreaterThanOrEqualTo(BigDecimal.ZERO);
        assertThat(harness.client(key).account().cash()).isEqualByComparingTo("100.00");
        assertThat(buysReserve(request.runId())).as("the reserve the buys were planned to leave, on record: 25 bp of "
                + "$40,000").isEqualByComparingTo("100.00");
        harness.orders(key);
    }

    /** The reserve the run's buy plans kept (the smallest), as the executor recorded it. */
    private BigDecimal buysReserve(String runId) {
        return db.inTransaction(c -> dev.rebalancer.runtime.Transactions.one(c,
                "SELECT buys_reserve FROM runs WHERE run_id = ?", row -> row.getBigDecimal(1), runId).orElse(null));
    }

    @Test
    void on_a_margin_account_under_25000_shares_bought_today_are_not_sold_the_same_day() throws Exception {
        String account = harness.account("exec-t26", "10000");
        harness.hold("exec-t26", "SPY", "14"); // bought today: $7,000 of SPY, $3,000 cash
        harness.sim.margin(account, "2", 3, false);
        RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null, SPY_TLT);
        harness.send(request, account);

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_ADJUSTED);
        assertThat(done.skippedOrders()).singleElement().satisfies(skip -> {
            assertThat(skip.symbol()).isEqualTo("SPY");
            assertThat(skip.side()).isEqualTo(OrderSide.SELL);
            assertThat(skip.reason()).isEqualTo("DAY_TRADE_DEFERRED");
            assertThat(skip.notional()).isEqualByComparingTo("2000.00");
            assertThat(skip.reasonDetails()).contains("deferred to the next session");
        });
        assertThat(done.orders()).singleElement().satisfies(buy -> {
            assertThat(buy.symbol()).isEqualTo("TLT");
            assertThat(buy.notional()).isEqualByComparingTo("2975.00");
        });
        assertThat(harness.orders("exec-t26")).extracting(Order::side).containsExactly("buy", "buy");
        harness.alerts.await(r -> r.value().contains(account) && r.value().contains("Day trades: 3"), 1);
    }

    @Test
    void a_holding_alpaca_has_no_current_price_for_is_held_at_its_market_value_never_sold_at_a_made_up_one()
            throws Exception {
        String account = harness.account("exec-t27", "10000");
        harness.hold("exec-t27", "GLD", "25"); // $5,000 at $200
        harness.sim.quoted("GLD", "200", false); // no quote now: positions show no current_price
        try {
            RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null,
                    List.of(Weight.asset("SPY", "50"), Weight.asset("TLT", "50")));
            harness.send(request, account);

            RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);

            assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_ADJUSTED);
            assertThat(done.skippedOrders()).singleElement().satisfies(skip -> {
                assertThat(skip.symbol()).isEqualTo("GLD");
                assertThat(skip.reason()).isEqualTo("PRICE_UNKNOWN");
            });
            // Equity $10,000 with GLD at its market value: SPY and TLT aim at $5,000 each; $4,975 of cash can go.
            assertThat(done.orders()).extracting(RunOrder::side, RunOrder::symbol, o -> o.notional().toPlainString())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(OrderSide.BUY, "SPY", "4975.00"));
            assertThat(harness.client("exec-t27").positions()).filteredOn(p -> p.symbol().equals("GLD"))
                    .singleElement().satisfies(p -> assertThat(p.qty()).isEqualByComparingTo("25"));
        } finally {
            harness.sim.quoted("GLD", "200", true);
        }
    }

    @Test
    void a_whole_share_asset_is_sold_in_whole_shares() throws Exception {
        String account = harness.account("exec-t3", "10000");
        harness.hold("exec-t3", "BRKX", "10"); // $4,000 at $400, not fractionable
        RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null,
                List.of(Weight.cash("5"), Weight.asset("BRKX", "25"), Weight.asset("SPY", "70")));
        harness.send(request, account);

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        // $1,500 over its $2,500 target: 3.75 shares, of which 3 can be sold.
        RunOrder sell = done.orders().stream().filter(o -> o.side() == OrderSide.SELL).findFirst().orElseThrow();
        assertThat(sell.symbol()).isEqualTo("BRKX");
        assertThat(sell.qty()).isEqualByComparingTo("3");
        assertThat(done.orders()).filteredOn(o -> o.side() == OrderSide.BUY).singleElement()
                .extracting(RunOrder::symbol).isEqualTo("SPY");
    }

    @Test
    void partial_fills_are_awaited_until_the_order_is_filled() throws Exception {
        String account = harness.account("exec-t4", "10000");
        harness.sim.config(300, "0.5");
        RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "2000", SPY_ONLY);
        harness.send(request, account);

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(done.orders()).singleElement().satisfies(order -> {
            assertThat(order.status()).isEqualTo("filled");
            assertThat(order.filledQty()).isEqualByComparingTo("4"); // $2,000 at $500
        });
    }

    @Test
    void a_run_waits_queued_while_the_market_is_closed_and_starts_when_it_opens() throws Exception {
        String account = harness.account("exec-t5", "10000");
        harness.sim.clock(false);
        RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "1000", SPY_ONLY);
        harness.send(request, account);

        harness.awaitStatus(request.runId(), RunStatus.QUEUED);
        Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                harness.orders("exec-t5").isEmpty() && harness.events(request.runId()).size() == 1);
        harness.sim.clock(true);

        assertThat(harness.awaitFinal(request.runId(), RUN_TIME).status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(harness.orders("exec-t5")).hasSize(1);
    }

    /**
     * Alpaca's window: a run starts only until 30 minutes before the session's close, and the close of the day is
     * Alpaca's calendar's (an early close) when that is earlier than the clock's.
     */
    @Test
    void a_run_waits_queued_after_the_calendars_early_close_and_starts_in_a_session_with_time_left() throws Exception {
        String account = harness.account("exec-t30", "10000");
        java.time.ZoneId newYork = java.time.ZoneId.of("America/New_York");
        java.time.ZonedDateTime now = Instant.now().atZone(newYork);
        // The clock says open until the end of today; the calendar says today closed early, at midnight.
        Instant endOfToday = now.toLocalDate().plusDays(1).atStartOfDay(newYork).toInstant().minusSeconds(1);
        harness.sim.clock(true, Instant.now().plus(Duration.ofHours(30)), endOfToday);
        harness.sim.calendar(List.of(), Map.of(now.toLocalDate().toString(), "00:00"));
        brokers.forgetAll();
        try {
            RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "1000", SPY_ONLY);
            harness.send(request, account);

            harness.awaitStatus(request.runId(), RunStatus.QUEUED);
            Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                    harness.orders("exec-t30").isEmpty() && harness.events(request.runId()).size() == 1);

            // A session with three hours left, and no early close.
            harness.sim.clock(true, Instant.now().plus(Duration.ofHours(30)), Instant.now().plus(Duration.ofHours(3)));
            harness.sim.calendar(List.of(), Map.of());
            brokers.forgetAll();

            assertThat(harness.awaitFinal(request.runId(), RUN_TIME).status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
            assertThat(harness.orders("exec-t30")).hasSize(1);
        } finally {
            harness.sim.clock(true);
            harness.sim.calendar(List.of(), Map.of());
            brokers.forgetAll();
        }
    }

    /** Less than 30 minutes to the clock's close: the run waits for the next session. */
    @Test
    void a_run_waits_queued_in_the_last_half_hour_of_the_session() throws Exception {
        String account = harness.account("exec-t31", "10000");
        harness.sim.clock(true, Instant.now().plus(Duration.ofHours(18)), Instant.now().plus(Duration.ofMinutes(20)));
        try {
            RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "1000", SPY_ONLY);
            harness.send(request, account);

            harness.awaitStatus(request.runId(), RunStatus.QUEUED);
            Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                    harness.orders("exec-t31").isEmpty() && harness.events(request.runId()).size() == 1);
            harness.sim.clock(true, Instant.now().plus(Duration.ofHours(18)), Instant.now().plus(Duration.ofMinutes(40)));

            assertThat(harness.awaitFinal(request.runId(), RUN_TIME).status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        } finally {
            harness.sim.clock(true);
        }
    }

    @Test
    void a_5xx_on_submission_is_resolved_by_looking_the_order_up_never_by_sending_it_again() throws Exception {
        String account = harness.account("exec-t6", "10000");
        // Every other request answers 500: reads before doing anything (the client retries them), an order POST after
        // taking the order, so the executor must look the order up rather than send it again.
        harness.sim.faults(0, 0.5, 200, false);
        RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null, SPY_TLT);
        harness.send(request, account);

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(done.orders()).hasSize(2).allMatch(o -> o.status().equals("filled"));
        assertThat(harness.orders("exec-t6")).hasSize(2);
    }

    @Test
    void a_storm_of_429s_is_waited_out_and_the_run_completes_with_each_order_once() throws Exception {
        String account = harness.account("exec-t14", "10000");
        harness.hold("exec-t14", "SPY", "14");
        // Ten requests a second where Alpaca allows 200 a minute, and for eight seconds another program on the same keys
        // spending all of them: every request of the executor's meets 429s (its client gives up after four) until the
        // storm passes, beginning with asking Alpaca whose the keys are.
        harness.sim.rateLimit(10, 1000);
        RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null, SPY_TLT);
        Harness.Neighbour neighbour = harness.noisyNeighbour("exec-t14", Duration.ofSeconds(8));
        RunEvent done;
        try (neighbour) {
            // The storm is on (the neighbour already meets 429s) before the request goes in.
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> neighbour.refused() > 0);
            harness.send(request, account);
            done = harness.awaitFinal(request.runId(), RUN_TIME);
        }

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(done.orders()).extracting(RunOrder::symbol, RunOrder::status).containsExactly(
                org.assertj.core.groups.Tuple.tuple("SPY", "filled"), org.assertj.core.groups.Tuple.tuple("TLT", "filled"));
        assertThat(done.orders().get(1).notional()).isEqualByComparingTo("4500.00");
        harness.sim.rateLimit(200, 60_000);
        assertThat(harness.orders("exec-t14")).hasSize(3); // the held SPY, the sell and the buy, each once
        long refusedToExecutor = harness.sim.stats(account).get("rate_limited").asLong() - neighbour.refused();
        assertThat(refusedToExecutor).isPositive();
    }

    @Test
    void fills_are_polled_while_the_trade_updates_stream_is_down() throws Exception {
        String account = harness.account("exec-t7", "10000");
        harness.sim.faults(0, 0.0, 200, true);
        harness.sim.config(200, "0");
        RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "1000", SPY_ONLY);
        harness.send(request, account);

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(done.orders()).singleElement().extracting(RunOrder::status).isEqualTo("filled");
    }

    @Test
    void the_halt_switch_holds_every_order_back_and_raises_an_alert_until_trading_resumes() throws Exception {
        String account = harness.account("exec-t8", "10000");
        String halt = UUID.randomUUID().toString();
        harness.sendRaw(Topics.CONTROL, TradingHalt.KEY, EventJson.write(new TradingHalt(halt, Instant.now(),
                true, "market turmoil")));
        harness.alerts.await(r -> r.value().contains("Trading halted") && r.value().contains("market turmoil"), 1);
        RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "1000", SPY_ONLY);
        harness.send(request, account);

        harness.awaitStatus(request.runId(), RunStatus.QUEUED);
        Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() ->
                harness.orders("exec-t8").isEmpty());
        harness.sendRaw(Topics.CONTROL, TradingHalt.KEY, EventJson.write(new TradingHalt(
                UUID.randomUUID().toString(), Instant.now(), false, null)));

        assertThat(harness.awaitFinal(request.runId(), RUN_TIME).status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
    }

    @Test
    void a_dry_run_account_gets_its_plan_recorded_and_no_order_sent() throws Exception {
        String account = harness.account("exec-dry", "10000");
        RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null, SPY_TLT);
        harness.send(request, account);

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);

        assertThat(done.dryRun()).isTrue();
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        // All cash: SPY to $5,000 and TLT to $4,500 of the $10,000 — planned, and not Alpaca orders: skipped, as a
        // dry run's (an order status is Alpaca's, and these were never sent).
        assertThat(done.orders()).isEmpty();
        assertThat(done.skippedOrders()).extracting(SkippedOrder::symbol, o -> o.notional().toPlainString(),
                SkippedOrder::reason).containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("SPY", "5000.00", RunStore.DRY_RUN),
                        org.assertj.core.groups.Tuple.tuple("TLT", "4500.00", RunStore.DRY_RUN));
        assertThat(harness.orders("exec-dry")).isEmpty();
    }

    @Test
    void a_queued_run_is_canceled_before_any_order() throws Exception {
        String account = harness.account("exec-t9", "10000");
        harness.sim.clock(false);
        RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "1000", SPY_ONLY);
        harness.send(request, account);
        harness.awaitStatus(request.runId(), RunStatus.QUEUED);

        harness.send(new RunCancellation(UUID.randomUUID().toString(), account, Instant.now(), request.runId(),
                "changed my mind"), account);

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);
        assertThat(done.status()).isEqualTo(RunStatus.CANCELED);
        assertThat(done.canceledAt()).isNotNull();
        harness.sim.clock(true);
        assertThat(harness.orders("exec-t9")).isEmpty();
    }

    @Test
    void a_run_canceled_mid_run_cancels_its_open_orders() throws Exception {
        String account = harness.account("exec-t10", "10000");
        harness.sim.config(60_000, "0");
        RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "1000", SPY_ONLY);
        harness.send(request, account);
        Awaitility.await().atMost(RUN_TIME).until(() -> !harness.orders("exec-t10").isEmpty());

        harness.send(new RunCancellation(UUID.randomUUID().toString(), account, Instant.now(), request.runId(), null),
                account);

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);
        assertThat(done.status()).isEqualTo(RunStatus.CANCELED_MID_RUN);
        assertThat(harness.orders("exec-t10")).singleElement().extracting(Order::status).isEqualTo("canceled");
    }

    @Test
    void killed_between_a_buys_submission_and_its_record_the_restarted_executor_finds_it_and_sends_nothing_twice()
            throws Exception {
        String account = harness.account("exec-t11", "10000");
        checkpoints.hook((point, runId) -> {
            if (point.equals(Checkpoints.ORDER_POSTED)) {
                throw new Checkpoints.Killed(point);
            }
        });
        RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null, SPY_TLT); // two buys
        harness.send(request, account);
        Awaitility.await().atMost(RUN_TIME).until(() -> harness.orders("exec-t11").size() == 1);

        restart();

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(done.orders()).hasSize(2);
        assertThat(harness.orders("exec-t11")).hasSize(2);
    }

    @Test
    void killed_between_sells_and_buys_the_restarted_executor_completes_the_run_with_no_order_twice() throws Exception {
        String account = harness.account("exec-t12", "10000");
        harness.hold("exec-t12", "SPY", "14");
        harness.sim.config(500, "0");
        checkpoints.hook((point, runId) -> {
            if (point.equals(Checkpoints.SELLS_SENT)) {
                throw new Checkpoints.Killed(point);
            }
        });
        RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null, SPY_TLT);
        harness.send(request, account);
        harness.awaitStatus(request.runId(), RunStatus.IN_PROGRESS);
        Awaitility.await().atMost(RUN_TIME).until(() -> harness.orders("exec-t12").size() == 2);

        restart();

        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(harness.orders("exec-t12")).extracting(Order::side).containsExactly("buy", "sell", "buy");
    }

    @Test
    void an_unreadable_request_is_dead_lettered_with_an_alert_and_the_next_one_runs() throws Exception {
        String account = UUID.randomUUID().toString();
        try (TopicProbe dlq = new TopicProbe(bootstrap, Topics.deadLetterOf(Topics.REBALANCE_REQUESTS))) {
            String poison = "{\"event_type\":\"rebalance_request\",\"account_id\":\"" + account + "\"}";
            harness.sendRaw(Topics.REBALANCE_REQUESTS, account, poison);

            dlq.await(r -> r.value().equals(poison), 1);
            harness.alerts.await(r -> r.value().contains("dead-lettered") && r.value().contains(account), 1);
        }
    }

    /**
     * Kafka hands a message again when the executor dies, or the group rebalances, after it was handled and before its
     * offset was committed: an unreadable message handed twice is dead-lettered and told once. The position of the
     * copies is one no real message of the test reaches; a third, later message tells when the second's would have
     * been published (the outbox publishes in the order it was written).
     */
    @Test
    void an_unreadable_message_handed_again_is_dead_lettered_and_told_once() throws Exception {
        String account = UUID.randomUUID().toString();
        String after = UUID.randomUUID().toString();
        long offset = 1_000_000_000L + new java.util.Random().nextInt(1_000_000);
        String poison = "{\"event_type\":\"rebalance_request\",\"account_id\":\"" + account + "\"}";
        try (TopicProbe dlq = new TopicProbe(bootstrap, Topics.deadLetterOf(Topics.REBALANCE_REQUESTS))) {
            ConsumerRecord<String, String> record = new ConsumerRecord<>(Topics.REBALANCE_REQUESTS, 0, offset, account,
                    poison);
            requests.request(record);
            requests.request(record);
            requests.request(new ConsumerRecord<>(Topics.REBALANCE_REQUESTS, 0, offset + 1, after,
                    "{\"event_type\":\"rebalance_request\",\"account_id\":\"" + after + "\"}"));

            harness.alerts.await(r -> r.value().contains("dead-lettered") && r.value().contains(after), 1);
            dlq.await(r -> r.value().contains(after), 1);
            assertThat(harness.alerts.records(r -> r.value().contains("dead-lettered") && r.value().contains(account)))
                    .hasSize(1);
            assertThat(dlq.records(r -> r.value().equals(poison))).hasSize(1);
        }
    }

    @Test
    void a_request_whose_weights_do_not_add_up_is_dead_lettered_with_an_alert_and_never_traded() throws Exception {
        String account = harness.account("exec-t33", "10000");
        RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null,
                List.of(Weight.asset("SPY", "60"), Weight.asset("TLT", "30")));
        try (TopicProbe dlq = new TopicProbe(bootstrap, Topics.deadLetterOf(Topics.REBALANCE_REQUESTS))) {
            harness.send(request, account);

            dlq.await(r -> r.value().contains(request.requestId()), 1);
            harness.alerts.await(r -> r.value().contains("Rebalance request refused")
                    && r.value().contains("the weights add up to 90, not 100"), 1);
        }
        assertThat(harness.events(request.runId())).isEmpty();
        assertThat(harness.orders("exec-t33")).isEmpty();
    }

    /**
     * A worker stalls (a long GC pause, a frozen VM) after planning the buys and before recording them, past its
     * lease; another instance takes the run over and completes it on the account as it then is. When the stale worker
     * wakes up, every write it tries is refused: the run is not reopened, not finished twice, and its orders are the
     * other instance's plan alone.
     */
    @Test
    void a_worker_that_stalled_past_its_lease_cannot_write_over_the_instance_that_took_the_run_over() throws Exception {
        String account = harness.account("exec-t22", "10000");
        harness.hold("exec-t22", "SPY", "14"); // $7,000 of SPY, $3,000 cash: sell 4, then buy TLT
        java.util.concurrent.CountDownLatch wakeUp = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean stalled = new java.util.concurrent.atomic.AtomicBoolean();
        checkpoints.hook((point, runId) -> {
            if (point.equals(Checkpoints.BUYS_PLANNED) && stalled.compareAndSet(false, true)) {
                try {
                    wakeUp.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null, SPY_TLT);
        harness.send(request, account);
        Awaitility.await().atMost(RUN_TIME).until(stalled::get);
        // The stale worker planned TLT $4,500 on $5,000 of cash; $1,000 more arrive before the other instance plans.
        harness.sim.deposit(account, "1000");

        RunStore.Claim other = Awaitility.await().atMost(RUN_TIME).until(() -> claim(request.runId()),
                java.util.Optional::isPresent).orElseThrow();
        driver.drive(request.runId(), new RunDriver.Lease() {
            @Override
            public Fence fence() {
                return other.fence();
            }

            @Override
            public void renew() {
                if (!store.renew(other.fence(), Duration.ofSeconds(30))) {
                    throw new Fence.Lost(other.fence());
                }
            }

            @Override
            public void release(Instant notBefore) {
                store.release(other.fence(), notBefore);
            }
        });
        RunEvent done = harness.awaitFinal(request.runId(), RUN_TIME);
        wakeUp.countDown();

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        // On $11,000: TLT to $4,950, SPY ($5,000 after the sell) to $5,500.
        assertThat(done.orders()).extracting(RunOrder::side, RunOrder::symbol, o -> o.side() == OrderSide.SELL
                        ? o.qty().toPlainString() : o.notional().toPlainString())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(OrderSide.SELL, "SPY", "4"),
                        org.assertj.core.groups.Tuple.tuple(OrderSide.BUY, "TLT", "4950.00"),
                        org.assertj.core.groups.Tuple.tuple(OrderSide.BUY, "SPY", "500.00"));
        Awaitility.await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> {
            List<RunEvent> events = harness.events(request.runId());
            return events.stream().filter(e -> e.status().isFinal()).count() == 1
                    && events.get(events.size() - 1).status().isFinal();
        });
        assertThat(store.legs(request.runId())).extracting(Leg::symbol, Leg::notional)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("SPY", null),
                        org.assertj.core.groups.Tuple.tuple("TLT", new BigDecimal("4950.00")),
                        org.assertj.core.groups.Tuple.tuple("SPY", new BigDecimal("500.00")));
        assertThat(harness.orders("exec-t22")).hasSize(4); // the held SPY, the sell, two buys: each once
    }

    @Test
    void a_stale_not_halted_arriving_after_a_halt_is_ignored() {
        assertThat(haltState.apply(control(true, 5))).isTrue();

        assertThat(haltState.apply(control(false, 4))).as("older than the halt").isFalse();
        assertThat(haltState.halted()).isTrue();

        assertThat(haltState.apply(control(false, 6))).isTrue();
        assertThat(haltState.halted()).isFalse();
    }

    private static TradingHalt control(boolean halted, long version) {
        return new TradingHalt(UUID.randomUUID().toString(), Instant.now(), halted, halted ? "a test's halt" : null,
                version);
    }

    /** Claims the run as another executor instance would, once its lease has lapsed; any other run is let go. */
    private java.util.Optional<RunStore.Claim> claim(String runId) {
        java.util.Optional<RunStore.Claim> claim = store.claim("another-instance", Duration.ofSeconds(30), List.of(), false);
        if (claim.isPresent() && !claim.get().fence().runId().equals(runId)) {
            store.release(claim.get().fence(), null);
            return java.util.Optional.empty();
        }
        return claim;
    }

    /** The executor dies where the hook threw, and a new one starts over from the database. */
    private void restart() {
        workers.kill();
        checkpoints.hook((point, run) -> {
        });
        brokers.forgetAll();
        workers.restart();
    }
}
