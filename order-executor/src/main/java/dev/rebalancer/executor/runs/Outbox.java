package dev.rebalancer.executor.runs;

import java.sql.Connection;
import java.sql.SQLException;

/** Events written in the transaction of the change they announce; {@code OutboxRelay} publishes them. */
public final class Outbox {

    private Outbox() {
    }

    public static void add(Connection c, String topic, String key, String payload) throws SQLException {
        Db.update(c, "INSERT INTO outbox (topic, key, payload) VALUES (?, ?, ?)", topic, key, payload);
    }
}
