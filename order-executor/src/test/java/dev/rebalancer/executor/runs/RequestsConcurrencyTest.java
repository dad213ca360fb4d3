package dev.rebalancer.executor.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.PostgresServer;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Payday: the requests of many accounts arrive together. One account's request that cannot be applied yet (here its
 * run's row is locked by another transaction) must not hold the other accounts' requests back; it is applied once
 * the lock goes.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "executor"))
@WithTestResource(AlpacaSimResource.class)
class RequestsConcurrencyTest {

    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    Harness harness;

    @BeforeEach
    void setUp() {
        harness = new Harness(simulator, bootstrap);
    }

    @AfterEach
    void tearDown() {
        harness.close();
    }

    @Test
    void an_accounts_request_waiting_on_a_lock_does_not_hold_another_accounts_request_back() throws Exception {
        String waiting = harness.account("exec-t34", "10000");
        String other = harness.account("exec-t35", "10000");
        RebalanceRequest held = harness.request(waiting, RunType.INVEST_CASH, "100", RunExecutionTest.SPY_TLT);
        RebalanceRequest free = harness.request(other, RunType.INVEST_CASH, "100", RunExecutionTest.SPY_TLT);
        try (Connection lock = DriverManager.getConnection(PostgresServer.jdbcUrl("executor"),
                PostgresServer.USERNAME, PostgresServer.PASSWORD)) {
            lock.setAutoCommit(false);
            // The held request's run inserted and not committed: the consumer's insert of it waits on this row.
            try (PreparedStatement insert = lock.prepareStatement("""
                    INSERT INTO runs (run_id, request_id, account_id, request, status, dry_run, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 'QUEUED', TRUE, now(), now())""")) {
                insert.setString(1, held.runId());
                insert.setString(2, held.requestId());
                insert.setString(3, waiting);
                insert.setString(4, EventJson.write(held));
                insert.executeUpdate();
            }
            harness.send(held, waiting);
            harness.send(free, other);

            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> harness.events(free.runId()).stream()
                    .anyMatch(e -> e.status() == RunStatus.QUEUED));
            assertThat(harness.events(held.runId())).as("the held request is still waiting").isEmpty();
            lock.rollback();
        }
        // The lock gone, the held request is applied: its run queued once.
        harness.awaitStatus(held.runId(), RunStatus.QUEUED);
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() ->
                harness.events(held.runId()).stream().filter(e -> e.status() == RunStatus.QUEUED).count() == 1);
    }
}
