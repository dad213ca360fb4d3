package dev.rebalancer.runtime;

import java.sql.Connection;
import java.sql.SQLException;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Dead-lettering once per message: Kafka hands a message again when a service dies, or its group rebalances, after the
 * message was handled and before its offset was committed. Each service with a database records the position of what
 * it dead-letters, in the transaction that writes the dead-letter copy and the alert, in one table definition (each
 * service's Flyway migrations create it alike):
 *
 * <pre>
 * dead_lettered (topic text, kafka_partition int, kafka_offset bigint, dead_lettered_at timestamptz default now(),
 *                primary key (topic, kafka_partition, kafka_offset))
 * </pre>
 *
 * A replayed message comes back at a new position, so one still unreadable is dead-lettered (and told) again.
 */
public final class DeadLettered {

    private DeadLettered() {
    }

    /** Records the message's position; false when it was recorded before (the copy and the alert exist). */
    public static boolean first(Connection c, ConsumerRecord<?, ?> record) throws SQLException {
        return Transactions.update(c, """
                INSERT INTO dead_lettered (topic, kafka_partition, kafka_offset) VALUES (?, ?, ?)
                ON CONFLICT DO NOTHING""", record.topic(), record.partition(), record.offset()) == 1;
    }

    /** Where the message was, for logs and alerts: {@code topic-partition@offset}. */
    public static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
