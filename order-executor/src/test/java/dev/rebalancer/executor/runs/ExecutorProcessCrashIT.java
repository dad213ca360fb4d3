package dev.rebalancer.executor.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.sim.AlpacaSimServer;
import dev.rebalancer.testing.infra.KafkaBroker;
import dev.rebalancer.testing.infra.PostgresServer;
import dev.rebalancer.testing.infra.ServiceProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged order executor as a process of its own, killed with SIGKILL in the middle of a run and started again:
 * the new process finishes the run from the database, and the simulator sees no client order id twice. Runs after
 * {@code package} (failsafe), against the real broker, PostgreSQL and the simulator.
 */
class ExecutorProcessCrashIT {

    static final String KEY = "crash-key";
    static final Duration FILL_LATENCY = Duration.ofSeconds(3);

    static AlpacaSimServer simulator;
    static String bootstrap;
    static Map<String, String> env;
    static String account;
    Harness harness;
    ServiceProcess executor;

    @BeforeAll
    static void infrastructure() {
        bootstrap = KafkaBroker.bootstrapServers();
        KafkaBroker.createSystemTopics();
        simulator = AlpacaSimServer.start(0);
        env = Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", bootstrap,
                "DB_URL", PostgresServer.jdbcUrl("executor_crash"),
                "DB_USERNAME", PostgresServer.USERNAME,
                "DB_PASSWORD", PostgresServer.PASSWORD,
                "ALPACA_API_KEY_ID", KEY,
                "ALPACA_API_SECRET_KEY", Harness.SECRET,
                "ALPACA_BASE_URL", simulator.baseUrl().toString(),
                // No portfolio-service here: the harness announces "not halted" once, which must not go stale.
                "CONTROL_ANNOUNCE_INTERVAL", "1h",
                // As compose and Kubernetes run it: JSON log lines.
                "QUARKUS_LOG_CONSOLE_JSON", "true");
    }

    @AfterAll
    static void stopSimulator() {
        simulator.close();
    }

    @BeforeEach
    void start() {
        harness = new Harness(simulator.baseUrl(), bootstrap);
        if (account == null) {
            account = harness.account(KEY, "10000");
        }
        executor = startExecutor();
    }

    @AfterEach
    void stop() {
        executor.close();
        harness.close();
    }

    /** A lease of 3 s, so that the new process takes the dead one's run over soon. */
    private static ServiceProcess startExecutor() {
        return ServiceProcess.start("order-executor", 0, env, Map.of("rebalancer.runs.lease", "3s"),
                Duration.ofSeconds(90));
    }

    @Test
    void killed_between_the_sells_and_the_buys_a_new_process_completes_the_run_with_no_order_twice() throws Exception {
        harness.hold(KEY, "SPY", "14");
        harness.sim.config(FILL_LATENCY.toMillis(), "0");
        RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null, RunExecutionTest.SPY_TLT);

        RunEvent done = killedOnceThePhaseIsAtTheSimulator(request, "-s-");

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(done.orders()).extracting(RunOrder::symbol).containsExactly("SPY", "TLT");
        assertThat(ordersOf(request.runId())).extracting(Order::symbol).containsExactlyInAnyOrder("SPY", "TLT");
    }

    @Test
    void killed_between_a_buys_submission_and_its_fill_a_new_process_completes_the_run_with_no_order_twice()
            throws Exception {
        harness.sim.deposit(account, "500");
        harness.sim.config(FILL_LATENCY.toMillis(), "0");
        RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "500",
                RunExecutionTest.SPY_ONLY);

        RunEvent done = killedOnceThePhaseIsAtTheSimulator(request, "-b-");

        assertThat(done.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        assertThat(done.orders()).singleElement().satisfies(order -> {
            assertThat(order.symbol()).isEqualTo("SPY");
            assertThat(order.notional()).isEqualByComparingTo("500.00");
            assertThat(order.status()).isEqualTo("filled");
        });
        assertThat(ordersOf(request.runId())).hasSize(1);
        assertLogIsJsonWithTheRun(request.runId());
    }

    /** Every line the executor wrote is a JSON object, and the lines about the run carry its id and account. */
    private void assertLogIsJsonWithTheRun(String runId) throws java.io.IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> lines = new java.util.ArrayList<>();
        for (String line : java.nio.file.Files.readAllLines(executor.log())) {
            if (!line.isBlank()) {
                lines.add(json.readTree(line));
            }
        }
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line.isObject()).isTrue());
        assertThat(lines).filteredOn(line -> runId.equals(line.path("mdc").path("run_id").asText()))
                .isNotEmpty()
                .allSatisfy(line -> assertThat(line.path("mdc").path("account_id").asText()).isEqualTo(account));
    }

    /**
     * Sends the request; once the simulator has taken an order of the run's phase ({@code -s-} sells, {@code -b-}
     * buys), kills the executor with SIGKILL and starts a new one; returns the run's final event.
     */
    private RunEvent killedOnceThePhaseIsAtTheSimulator(RebalanceRequest request, String phase) throws Exception {
        harness.send(request, account);
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> ordersOf(request.runId()).stream()
                .anyMatch(o -> o.clientOrderId().contains(phase)));
        executor.kill();
        executor = startExecutor();
        return harness.awaitFinal(request.runId(), Duration.ofSeconds(60));
    }

    /**
     * The run's orders at the simulator; {@link Harness#orders} asserts, from the simulator's own count of submissions,
     * that none was sent twice.
     */
    private List<Order> ordersOf(String runId) {
        return harness.orders(KEY).stream().filter(o -> o.clientOrderId() != null
                && o.clientOrderId().startsWith("rb-" + runId)).toList();
    }
}
