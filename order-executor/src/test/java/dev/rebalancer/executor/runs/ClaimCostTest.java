package dev.rebalancer.executor.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebalancer.runtime.Transactions;
import dev.rebalancer.testing.infra.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * A claim's cost does not grow with the history: the runs table keeps every run ever made, and every claim (one per run,
 * more on a payday) walked all of them in arrival order, the finished ones filtered out row by row. Measured where it
 * happens: PostgreSQL's own plan of the store's claim, with the rows it read from {@code runs}.
 */
class ClaimCostTest {

    static final int ACCOUNTS = 50;
    static final int FINISHED_PER_ACCOUNT = 100;

    @Test
    void a_claim_reads_the_unfinished_runs_and_the_candidates_history_not_every_run_ever() throws Exception {
        DataSource dataSource = PostgresServer.dataSource("executor_claim_cost");
        Flyway.configure().dataSource(dataSource).cleanDisabled(false).load().clean();
        Flyway.configure().dataSource(dataSource).load().migrate();
        Transactions.inTransaction(dataSource, c -> {
            // 5,000 finished runs, then one queued run per account: a history, and a payday.
            Transactions.update(c, """
                    INSERT INTO runs (run_id, request_id, account_id, request, status, created_at, updated_at)
                    SELECT 'old-' || a || '-' || k, 'old-' || a || '-' || k, 'account-' || a, '{}', 'COMPLETED_SUCCESS',
                           now(), now()
                    FROM generate_series(1, ?) k, generate_series(1, ?) a ORDER BY k, a""", FINISHED_PER_ACCOUNT,
                    ACCOUNTS);
            Transactions.update(c, """
                    INSERT INTO run_orders (client_order_id, run_id, phase, position, symbol, side, state, status)
                    SELECT run_id || '-b', run_id, 'BUYS', 0, 'SPY', 'buy', 'SENT', 'filled' FROM runs""");
            Transactions.update(c, """
                    INSERT INTO runs (run_id, request_id, account_id, request, status, created_at, updated_at)
                    SELECT 'new-' || a, 'new-' || a, 'account-' || a, '{}', 'QUEUED', now(), now()
                    FROM generate_series(1, ?) a ORDER BY a""", ACCOUNTS);
            Transactions.update(c, "ANALYZE runs");
            Transactions.update(c, "ANALYZE run_orders");
            return null;
        });

        JsonNode plan;
        try (Connection c = dataSource.getConnection();
                PreparedStatement explain = c.prepareStatement("EXPLAIN (ANALYZE, FORMAT JSON) " + RunStore.CLAIM)) {
            Timestamp now = Timestamp.from(Instant.now());
            explain.setString(1, "an-instance");
            explain.setTimestamp(2, Timestamp.from(Instant.now().plusSeconds(30)));
            explain.setTimestamp(3, now);
            explain.setTimestamp(4, now);
            explain.setBoolean(5, false);
            explain.setArray(6, c.createArrayOf("text", new String[] {"account-1", "account-2"}));
            try (ResultSet result = explain.executeQuery()) {
                result.next();
                plan = new ObjectMapper().readTree(result.getString(1)).get(0).get("Plan");
            }
        }

        assertThat(claimed(plan)).as("the claim took a run").isEqualTo(1);
        // The first queued runs are of busy accounts; the third is taken. What it may read: the unfinished runs it
        // passes and each candidate's own history (100 runs) — not the 5,000 finished runs of everyone.
        assertThat(rowsRead(plan, "runs")).as("rows of runs the claim read").isLessThan(ACCOUNTS + 3
                * FINISHED_PER_ACCOUNT).isPositive();
    }

    private static long claimed(JsonNode plan) {
        return plan.get("Actual Rows").asLong();
    }

    /** Rows a plan's nodes read from a table: those they returned and those their filters threw away, every loop. */
    private static long rowsRead(JsonNode node, String table) {
        long read = 0;
        if (table.equals(node.path("Relation Name").asText())) {
            read += (node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong())
                    * Math.max(1, node.path("Actual Loops").asLong());
        }
        for (JsonNode child : node.path("Plans")) {
            read += rowsRead(child, table);
        }
        return read;
    }
}
