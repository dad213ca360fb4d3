package dev.rebalancer.portfolio.persistence;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.sql.Timestamp;

/** Values of native queries, whose column types the JDBC driver and Hibernate choose. */
public final class NativeValues {

    private NativeValues() {
    }

    /** A {@code timestamptz} column, whichever Java type it came back as. */
    public static Instant instant(Object value) {
        if (value instanceof Instant instant) {
            return instant;
        }
        if (value instanceof OffsetDateTime offset) {
            return offset.toInstant();
        }
        if (value instanceof Timestamp timestamp) {
            return timestamp.toInstant();
        }
        throw new IllegalStateException("not a time: " + value);
    }
}
