package dev.rebalancer.executor.runs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebalancer.contracts.RunPhase;
import dev.rebalancer.runtime.Transactions;
import dev.rebalancer.testing.infra.PostgresServer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An order's writes check the run's fence in the same statement that writes (one round trip each): a worker whose run
 * was taken over after its lease lapsed writes nothing, however its write is worded, and learns it ({@link Fence.Lost});
 * the worker that holds the run writes.
 */
class FencedWritesTest {

    private static final String RUN = "run-fenced";
    private static final String LEG = Leg.clientOrderId(RUN, RunPhase.BUYS, "SPY");

    private DataSource dataSource;
    private RunStore store;

    @BeforeEach
    void aQueuedRunWithOnePlannedBuy() {
        dataSource = PostgresServer.dataSource("executor_fenced_writes");
        Flyway.configure().dataSource(dataSource).cleanDisabled(false).load().clean();
        Flyway.configure().dataSource(dataSource).load().migrate();
        store = new RunStore(new Db(dataSource), null); // no run starts or ends here: no metrics
        Transactions.inTransaction(dataSource, c -> {
            Transactions.update(c, """
                    INSERT INTO runs (run_id, request_id, account_id, request, status, created_at, updated_at)
                    VALUES (?, ?, 'account-1', '{}', 'IN_PROGRESS', now(), now())""", RUN, RUN);
            return Transactions.update(c, """
                    INSERT INTO run_orders (client_order_id, run_id, phase, position, symbol, side, notional, state)
                    VALUES (?, ?, 'BUYS', 0, 'SPY', 'BUY', 100, 'PLANNED')""", LEG, RUN);
        });
    }

    @Test
    void a_worker_whose_run_was_taken_over_writes_nothing_and_the_new_holder_writes() {
        Fence stale = store.claim("instance-a", Duration.ofMillis(1), Set.of(), false).orElseThrow().fence();
        // The lease lapses (1 ms): another instance takes the run over.
        Fence current = org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(
                () -> store.claim("instance-b", Duration.ofSeconds(30), Set.of(), false), java.util.Optional::isPresent)
                .orElseThrow().fence();

        assertThatThrownBy(() -> store.sending(stale, LEG)).isInstanceOf(Fence.Lost.class);
        assertThatThrownBy(() -> store.notSent(stale, LEG)).isInstanceOf(Fence.Lost.class);
        assertThatThrownBy(() -> store.sent(stale, LEG, filled())).isInstanceOf(Fence.Lost.class);
        assertThat(state()).as("the stale worker's writes").containsExactly("PLANNED", null);

        store.sending(current, LEG);
        assertThat(state()).containsExactly("SENDING", null);
        store.sent(current, LEG, filled());
        assertThat(state()).containsExactly("SENT", "filled");
    }

    private List<String> state() {
        return Transactions.inTransaction(dataSource, c -> Transactions.one(c,
                "SELECT state, status FROM run_orders WHERE client_order_id = ?",
                row -> java.util.Arrays.asList(row.getString(1), row.getString(2)), LEG).orElseThrow());
    }

    private static dev.rebalancer.alpaca.model.Order filled() {
        Instant now = Instant.now();
        return new dev.rebalancer.alpaca.model.Order("order-1", LEG, now, now, now, now, null, null, null, null,
                "asset-spy", "SPY", "us_equity", new java.math.BigDecimal("100"), null, new java.math.BigDecimal("0.2"),
                new java.math.BigDecimal("500"), "simple", "market", "buy", "day", null, "filled", false);
    }
}
