package dev.rebalancer.runtime;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** Plain JDBC: a unit of work on one connection, in one transaction. */
public final class Transactions {

    /** Work on a connection whose transaction commits when it returns and rolls back when it throws. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private Transactions() {
    }

    /** Runs the work in a transaction of its own; a database failure is an {@link IllegalStateException}. */
    public static <T> T inTransaction(DataSource dataSource, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("database: " + e.getMessage(), e);
        }
    }
}
