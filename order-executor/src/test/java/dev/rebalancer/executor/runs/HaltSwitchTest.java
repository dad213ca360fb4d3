package dev.rebalancer.executor.runs;

import dev.rebalancer.runtime.Transactions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.TradingHalt;
import dev.rebalancer.runtime.ConsumerRetry;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The halt switch fails closed, and a halt can cancel what is open at Alpaca. */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "executor"))
@WithTestResource(AlpacaSimResource.class)
class HaltSwitchTest {

    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    Db db;
    @Inject
    ConsumerRetry consumers;

    Harness harness;

    @BeforeEach
    void setUp() {
        harness = new Harness(simulator, bootstrap);
        // These tests set the switch's row directly: nothing from the topic may arrive in the middle.
        harness.awaitResumeApplied(db);
    }

    @AfterEach
    void tearDown() {
        harness.resume();
        harness.close();
    }

    /** A switch as the executor's, but told that portfolio-service announces every 500 ms. */
    private TradingHaltState announcedEvery500ms() {
        return new TradingHaltState(db, consumers, Duration.ofMillis(500));
    }

    private static TradingHalt state(boolean halted) {
        return new TradingHalt(UUID.randomUUID().toString(), Instant.now(), halted, halted ? "a test" : null);
    }

    @Test
    void with_no_state_heard_yet_trading_is_held() {
        TradingHaltState haltState = announcedEvery500ms();
        db.inTransaction(c -> Transactions.update(c, "DELETE FROM trading_halt"));

        assertThat(haltState.halted()).as("no halt row").isTrue();

        haltState.apply(state(false));
        assertThat(haltState.halted()).isFalse();
    }

    @Test
    void three_silent_intervals_hold_trading_with_an_alert_and_the_next_announcement_lifts_it() {
        TradingHaltState haltState = announcedEvery500ms();
        haltState.apply(state(false));
        assertThat(haltState.halted()).isFalse();

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(haltState::halted);
        harness.alerts.await(r -> r.value().contains("the halt switch is not heard"), 1);

        // The same state announced again (same version, a new event) is a sign of life.
        haltState.apply(state(false));
        assertThat(haltState.halted()).isFalse();
    }

    /**
     * Two executors notice the same silence of the same switch: one alert, not one each (found by the soak, seed 1, 30
     * min: the same "not heard" message twice on the phone).
     */
    @Test
    void a_silence_noticed_by_two_executors_is_alerted_once() {
        TradingHaltState one = announcedEvery500ms();
        TradingHaltState other = announcedEvery500ms();
        one.apply(state(false));
        java.util.function.Predicate<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> notHeard =
                r -> r.value().contains("the halt switch is not heard");
        int before = (int) harness.alerts.readToEnd(notHeard).stream().map(r -> EventJson.read(r.value(),
                dev.rebalancer.contracts.Alert.class).eventId()).distinct().count();

        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> one.halted() && other.halted());

        harness.alerts.await(notHeard, before + 1);
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> harness.alerts
                .records(notHeard).stream().map(r -> EventJson.read(r.value(), dev.rebalancer.contracts.Alert.class)
                        .eventId()).distinct().count() == before + 1);
        one.apply(state(false)); // heard again: a later silence is a new one
    }

    @Test
    void a_halt_that_cancels_open_orders_cancels_the_runs_in_progress_and_their_orders_at_alpaca() throws Exception {
        String account = harness.account("exec-t29", "10000");
        harness.sim.config(60_000, "0");
        RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "1000",
                RunExecutionTest.SPY_ONLY);
        harness.send(request, account);
        Awaitility.await().atMost(RunExecutionTest.RUN_TIME).until(() -> !harness.orders("exec-t29").isEmpty());

        harness.sendRaw(Topics.CONTROL, TradingHalt.KEY, EventJson.write(new TradingHalt(
                UUID.randomUUID().toString(), Instant.now(), true, "flash crash", null, true)));

        RunEvent done = harness.awaitFinal(request.runId(), RunExecutionTest.RUN_TIME);
        assertThat(done.status()).isEqualTo(RunStatus.CANCELED_MID_RUN);
        assertThat(done.reason()).contains("flash crash");
        assertThat(harness.orders("exec-t29")).singleElement().extracting(Order::status).isEqualTo("canceled");
        harness.alerts.await(r -> r.value().contains("Open orders canceled") && r.value().contains("flash crash"), 1);
    }
}
