package dev.rebalancer.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class DatabaseAwayTest {

    @Test
    void a_lost_or_refused_connection_a_server_going_down_and_an_empty_pool_are_the_database_away() {
        assertThat(DatabaseAway.causes(new SQLException("Connection to localhost:5432 refused", "08001"))).isTrue();
        assertThat(DatabaseAway.causes(new SQLException("An I/O error occurred", "08006"))).isTrue();
        assertThat(DatabaseAway.causes(new SQLException("terminating connection due to administrator command",
                "57P01"))).isTrue();
        assertThat(DatabaseAway.causes(new SQLException("the database system is starting up", "57P03"))).isTrue();
        assertThat(DatabaseAway.causes(new SQLException(
                "FATAL: database \"portfolio\" is not currently accepting connections", "55000"))).isTrue();
        assertThat(DatabaseAway.causes(new SQLException("Acquisition timeout while waiting for new connection")))
                .isTrue();
        // As frameworks wrap it.
        assertThat(DatabaseAway.causes(new IllegalStateException("transaction failed",
                new RuntimeException(new SQLException("An I/O error occurred", "08006"))))).isTrue();
    }

    @Test
    void a_refused_statement_or_any_other_failure_is_not() {
        assertThat(DatabaseAway.causes(new SQLException("duplicate key value violates unique constraint", "23505")))
                .isFalse();
        assertThat(DatabaseAway.causes(new SQLException("object not in prerequisite state", "55000"))).isFalse();
        assertThat(DatabaseAway.causes(new SQLException("no state, no pool message"))).isFalse();
        assertThat(DatabaseAway.causes(new IllegalStateException("a bug"))).isFalse();
        assertThat(DatabaseAway.causes(null)).isFalse();
    }
}
