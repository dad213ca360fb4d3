package dev.rebalancer.executor.runs;

import dev.rebalancer.runtime.Transactions;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Plain JDBC, each unit of work in one transaction. */
@ApplicationScoped
public class Db {

    public interface Rows<T> {
        T map(ResultSet row) throws SQLException;
    }

    private final AgroalDataSource dataSource;

    Db(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public <T> T inTransaction(Transactions.Work<T> work) {
        return Transactions.inTransaction(dataSource, work);
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
