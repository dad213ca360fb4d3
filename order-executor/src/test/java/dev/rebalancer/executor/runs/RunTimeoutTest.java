package dev.rebalancer.executor.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.TradingControl;
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

    public static class ShortFillTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rebalancer.runs.fill-timeout", FILL_TIMEOUT.toSeconds() + "s");
        }
    }

    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    Checkpoints checkpoints;
    @Inject
    TradingSwitch tradingSwitch;
    @Inject
    RunWorkers workers;
    @Inject
    Brokers brokers;

    Harness harness;

    @BeforeEach
    void setUp() {
        harness = new Harness(simulator, bootstrap);
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
        tradingSwitch.apply(new TradingControl(UUID.randomUUID().toString(), Instant.now(), halted,
                halted ? "a test's halt" : null));
    }
}
