package dev.rebalancer.runtime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Plain JDBC for the services: a unit of work on one connection, in one transaction, and statements with their
 * arguments bound in order.
 */
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

    /**
     * Runs work of exactly one statement with auto-commit: the statement is its own transaction, committed without a
     * round trip of its own (half the round trips of {@link #inTransaction} for a single read or write). Work of more
     * than one statement belongs in {@link #inTransaction}: here each would commit on its own.
     */
    public static <T> T oneStatement(DataSource dataSource, Work<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            return work.run(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("database: " + e.getMessage(), e);
        }
    }

    /** Maps one row of a result. */
    public interface Rows<T> {
        T map(ResultSet row) throws SQLException;
    }

    public static int update(Connection connection, String sql, Object... args) throws SQLException {
        try (PreparedStatement statement = prepare(connection, sql, args)) {
            return statement.executeUpdate();
        }
    }

    public static <T> List<T> query(Connection connection, String sql, Rows<T> rows, Object... args)
            throws SQLException {
        try (PreparedStatement statement = prepare(connection, sql, args); ResultSet result = statement.executeQuery()) {
            List<T> list = new ArrayList<>();
            while (result.next()) {
                list.add(rows.map(result));
            }
            return list;
        }
    }

    public static <T> Optional<T> one(Connection connection, String sql, Rows<T> rows, Object... args)
            throws SQLException {
        return query(connection, sql, rows, args).stream().findFirst();
    }

    public static Instant instant(ResultSet row, String column) throws SQLException {
        Timestamp value = row.getTimestamp(column);
        return value == null ? null : value.toInstant();
    }

    private static PreparedStatement prepare(Connection connection, String sql, Object... args) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            Object arg = args[i];
            statement.setObject(i + 1, arg instanceof Instant instant ? Timestamp.from(instant) : arg);
        }
        return statement;
    }
}
