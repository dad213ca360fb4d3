package dev.rebalancer.executor.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.TradingHalt;
import dev.rebalancer.executor.alpaca.Brokers;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.assertj.core.groups.Tuple;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fill timeout (2 s here) counts only time spent waiting on sent orders: orders that do not fill within it are
 * canceled and the run ends TIMEOUT, with an alert; a halt or an outage before the wait never counts against it.
 */
@QuarkusTest
@TestProfile(RunTimeoutTest.ShortFillTimeout.class)
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "executor"))
@WithTestResource(AlpacaSimResource.class)
class RunTimeoutTest {

    static final Duration FILL_TIMEOUT = Duration.ofSeconds(2);
    static final Duration CANCEL_TIMEOUT = Duration.ofSeconds(2);
    static final Duration GIVE_UP_AFTER = Duration.ofSeconds(3);

    public static class ShortFillTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rebalancer.runs.fill-timeout", FILL_TIMEOUT.toSeconds() + "s",
                    "rebalancer.runs.cancel-timeout", CANCEL_TIMEOUT.toSeconds() + "s",
                    "rebalancer.runs.retry-backoff", "200ms",
                    "rebalancer.runs.give-up-after", GIVE_UP_AFTER.toSeconds() + "s");
        }
    }

    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    Checkpoints checkpoints;
    @Inject
    TradingHaltState haltState;
    @Inject
    RunWorkers workers;
    @Inject
    Brokers brokers;

    @Inject
    Db db;

    Harness harness;

    @BeforeEach
    void setUp() {
        harness = new Harness(simulator, bootstrap);
        // Tests here halt by setting the switch directly: the harness's "not halted" must not arrive in the middle.
        harness.awaitResumeApplied(db);
    }

    @AfterEach
    void tearDown() {
        checkpoints.hook((point, run) -> {
        });
        halt(false);
        harness.close();
    }

    @Test
    void orders_unfilled_at_the_timeout_are_canceled_and_the_run_ends_timeout_with_an_alert() throws Exception {
        String account = harness.account("exec-t13", "10000");
        harness.sim.config(60_000, "0");
        RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "1000", RunExecutionTest.SPY_ONLY);
        harness.send(request, account);

        RunEvent done = harness.awaitFinal(request.runId(), Duration.ofSeconds(30));

        assertThat(done.status()).isEqualTo(RunStatus.TIMEOUT);
        assertThat(harness.orders("exec-t13")).singleElement().extracting(Order::status).isEqualTo("canceled");
        assertThat(done.failedOrders()).singleElement().satisfies(o -> assertThat(o.status()).isEqualTo("canceled"));
        harness.alerts.await(r -> r.value().contains(request.runId()) && r.value().contains("TIMEOUT"), 1);
    }

    @Test
    void a_halt_mid_phase_held_past_the_fill_timeout_then_lifted_lets_the_run_complete_with_nothing_canceled()
            throws Exception {
        String account = harness.account("exec-t19", "10000");
        harness.sim.config(300, "0");
        haltAfterTheFirstOrder();
        RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "9000", RunExecutionTest.SPY_TLT);
        harness.send(request, account);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> harness.orders("exec-t19").size() == 1);

        // Held for twice the fill timeout: the second order waits unsent.
        Awaitility.await().during(FILL_TIMEOUT.multipliedBy(2)).atMost(FILL_TIMEOUT.multipliedBy(3))
                .until(() -> harness.orders("exec-t19").size() == 1);
        halt(false);

        RunEvent done = harness.awaitFinal(request.runId(), Duration.ofSeconds(30));
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(done.orders()).extracting(RunOrder::symbol, RunOrder::status)
                .containsExactly(Tuple.tuple("SPY", "filled"), Tuple.tuple("TLT", "filled"));
        assertThat(harness.orders("exec-t19")).extracting(Order::status).containsOnly("filled");
    }

    @Test
    void an_executor_down_mid_phase_for_longer_than_the_fill_timeout_completes_the_run_when_it_is_back()
            throws Exception {
        String account = harness.account("exec-t20", "10000");
        harness.sim.config(300, "0");
        AtomicBoolean killed = new AtomicBoolean();
        checkpoints.hook((point, runId) -> {
            if (point.equals(Checkpoints.ORDER_POSTED) && killed.compareAndSet(false, true)) {
                throw new Checkpoints.Killed(point);
            }
        });
        RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "9000", RunExecutionTest.SPY_TLT);
        harness.send(request, account);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(killed::get);
        workers.kill();
        Awaitility.await().during(FILL_TIMEOUT.multipliedBy(2)).atMost(FILL_TIMEOUT.multipliedBy(3))
                .until(() -> harness.orders("exec-t20").size() == 1);

        brokers.forgetAll();
        workers.restart();

        RunEvent done = harness.awaitFinal(request.runId(), Duration.ofSeconds(30));
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(harness.orders("exec-t20")).extracting(Order::symbol, Order::status)
                .containsExactly(Tuple.tuple("SPY", "filled"), Tuple.tuple("TLT", "filled"));
    }

    @Test
    void a_halt_across_a_market_close_has_the_unsent_orders_planned_anew_at_the_open() throws Exception {
        String account = harness.account("exec-t21", "10000");
        Instant now = Instant.now();
        harness.sim.clock(true, now.plus(Duration.ofHours(18)), now.plus(Duration.ofHours(6)));
        haltAfterTheFirstOrder();
        // All cash: the buys are SPY $5,000 (first: the larger shortfall), then TLT $4,500.
        RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null, RunExecutionTest.SPY_TLT);
        harness.send(request, account);
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> harness.orders("exec-t21").size() == 1);

        // The market closes and opens the next day; meanwhile $1,000 arrive.
        harness.sim.clock(false, now.plus(Duration.ofHours(18)), now.plus(Duration.ofHours(30)));
        harness.sim.deposit(account, "1000");
        harness.sim.clock(true, now.plus(Duration.ofHours(42)), now.plus(Duration.ofHours(30)));
        halt(false);

        RunEvent done = harness.awaitFinal(request.runId(), Duration.ofSeconds(30));
        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        // Planned anew on $11,000: TLT's target is $4,950 ($4,500 before the deposit); SPY's order was sent and stays.
        assertThat(done.orders()).extracting(RunOrder::symbol, o -> o.notional().toPlainString())
                .containsExactly(Tuple.tuple("SPY", "5000.00"), Tuple.tuple("TLT", "4950.00"));
    }

    @Test
    void a_run_timed_out_waits_for_its_cancel_to_be_confirmed_and_counts_a_fill_that_came_meanwhile() throws Exception {
        // The order fills 3 s after it was sent; the cancel sent at the 2 s timeout takes 5 s to be confirmed.
        java.util.List<RebalanceRequest> runs = twoRuns("exec-t23", 3_000, 5_000);
        RebalanceRequest first = runs.get(0);
        RebalanceRequest next = runs.get(1);

        RunEvent done = harness.awaitFinal(first.runId(), Duration.ofSeconds(30));

        assertThat(done.status()).isEqualTo(RunStatus.TIMEOUT);
        assertThat(done.orders()).singleElement().satisfies(o -> assertThat(o.status()).isEqualTo("filled"));
        assertThat(done.failedOrders()).isEmpty();
        // The next run planned only once the first one's order had ended, on the cash that was then there.
        harness.awaitFinal(next.runId(), Duration.ofSeconds(30));
        java.util.List<Order> orders = harness.orders("exec-t23");
        assertThat(orders).extracting(Order::clientOrderId).containsExactly(
                Leg.clientOrderId(first.runId(), dev.rebalancer.contracts.RunPhase.BUYS, "SPY"),
                Leg.clientOrderId(next.runId(), dev.rebalancer.contracts.RunPhase.BUYS, "SPY"));
        assertThat(orders.get(1).createdAt()).isAfterOrEqualTo(orders.get(0).filledAt());
    }

    @Test
    void a_cancel_unconfirmed_in_time_is_named_in_an_alert_and_the_accounts_next_run_waits_until_the_order_ended()
            throws Exception {
        // Fills 6 s after it was sent: past the 2 s fill timeout and the 2 s the cancel is waited for (60 s to confirm).
        java.util.List<RebalanceRequest> runs = twoRuns("exec-t24", 6_000, 60_000);
        RebalanceRequest first = runs.get(0);
        RebalanceRequest next = runs.get(1);

        RunEvent done = harness.awaitFinal(first.runId(), Duration.ofSeconds(30));
        assertThat(done.status()).isEqualTo(RunStatus.TIMEOUT);
        harness.alerts.await(r -> r.value().contains(first.runId()) && r.value().contains("still open at Alpaca")
                && r.value().contains(Leg.clientOrderId(first.runId(), dev.rebalancer.contracts.RunPhase.BUYS, "SPY")), 1);
        Order left = harness.orders("exec-t24").get(0);
        assertThat(left.status()).isEqualTo("pending_cancel");
        harness.sim.config(0, "0"); // the next run's order fills at once (the first one's fill stays 6 s after it was sent)

        RunEvent after = harness.awaitFinal(next.runId(), Duration.ofSeconds(30));
        assertThat(after.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        java.util.List<Order> orders = harness.orders("exec-t24");
        assertThat(orders).hasSize(2);
        assertThat(orders.get(0).status()).isEqualTo("filled");
        assertThat(orders.get(1).createdAt()).as("the next run's order").isAfterOrEqualTo(orders.get(0).filledAt());
    }

    @Test
    void a_run_that_keeps_failing_ends_error_after_the_bound_with_its_order_canceled_and_the_deposit_named()
            throws Exception {
        String account = harness.account("exec-t25", "10000");
        harness.sim.config(60_000, "0");
        RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "1000", RunExecutionTest.SPY_ONLY);
        RebalanceRequest next = harness.request(account, RunType.INVEST_CASH, "500", RunExecutionTest.SPY_ONLY);
        // A fault of the executor's own (not Alpaca's) every time the run's buys are out.
        checkpoints.hook((point, runId) -> {
            if (runId.equals(request.runId()) && point.equals(Checkpoints.sent(dev.rebalancer.contracts.RunPhase.BUYS))) {
                throw new IllegalStateException("a fault of the test's making");
            }
        });
        harness.send(request, account);
        harness.send(next, account);

        RunEvent done = harness.awaitFinal(request.runId(), Duration.ofSeconds(30));

        assertThat(done.status()).isEqualTo(RunStatus.ERROR);
        assertThat(done.reason()).contains("a fault of the test's making")
                .contains("$1000.00 of the $1000.00 deposit was left uninvested");
        harness.alerts.await(r -> r.value().contains(request.runId()) && r.value().contains("Run ERROR")
                && r.value().contains("left uninvested"), 1);
        assertThat(harness.orders("exec-t25")).filteredOn(o -> o.clientOrderId().contains(request.runId()))
                .singleElement().extracting(Order::status).isEqualTo("canceled");
        // The account's next run is no longer held back: it runs (and, its order unfilled in 2 s, times out in turn).
        harness.awaitFinal(next.runId(), Duration.ofSeconds(30));
        assertThat(harness.orders("exec-t25")).filteredOn(o -> o.clientOrderId().contains(next.runId())).hasSize(1);
    }

    /** Two invest_cash runs of $1,000 in SPY for a new account, sent one after the other, at these latencies. */
    private java.util.List<RebalanceRequest> twoRuns(String key, long fillLatencyMs, long cancelLatencyMs)
            throws Exception {
        String account = harness.account(key, "10000");
        harness.sim.config(fillLatencyMs, "0");
        harness.sim.cancelLatency(cancelLatencyMs);
        java.util.List<RebalanceRequest> runs = java.util.List.of(
                harness.request(account, RunType.INVEST_CASH, "1000", RunExecutionTest.SPY_ONLY),
                harness.request(account, RunType.INVEST_CASH, "1000", RunExecutionTest.SPY_ONLY));
        for (RebalanceRequest run : runs) {
            harness.send(run, account);
        }
        return runs;
    }

    /** The halt is engaged right after the run's first order reached Alpaca. */
    private void haltAfterTheFirstOrder() {
        AtomicBoolean engaged = new AtomicBoolean();
        checkpoints.hook((point, runId) -> {
            if (point.equals(Checkpoints.ORDER_POSTED) && engaged.compareAndSet(false, true)) {
                halt(true);
            }
        });
    }

    private void halt(boolean halted) {
        haltState.apply(new TradingHalt(UUID.randomUUID().toString(), Instant.now(), halted,
                halted ? "a test's halt" : null));
    }
}
