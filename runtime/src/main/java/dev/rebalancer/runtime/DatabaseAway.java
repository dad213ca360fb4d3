package dev.rebalancer.runtime;

import java.sql.SQLException;

/**
 * Whether a failure is the database being away (restarting, failing over, refusing connections, the pool finding
 * none in time) rather than a bug: what a caller should be told to try again later, not an internal error.
 */
public final class DatabaseAway {

    private DatabaseAway() {
    }

    /** True when a cause of {@code failure} says the database could not be reached or was lost mid-request. */
    public static boolean causes(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SQLException sql && away(sql)) {
                return true;
            }
        }
        return false;
    }

    private static boolean away(SQLException e) {
        String state = e.getSQLState();
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (state != null) {
            // 08: connection exceptions; 57P: the server shutting down, crashed or starting up; 55000 at connect: a
            // database closed to connections (ALLOW_CONNECTIONS false, as during a failover's cut-over).
            return state.startsWith("08") || state.startsWith("57P")
                    || state.equals("55000") && message.contains("not currently accepting connections");
        }
        // Agroal, when no connection could be had within its acquisition timeout.
        return message.startsWith("Acquisition timeout");
    }
}
