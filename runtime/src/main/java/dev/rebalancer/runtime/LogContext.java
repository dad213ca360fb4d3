package dev.rebalancer.runtime;

import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.MDC;

/**
 * The account, run and request that work on this thread is for, in the logs' MDC ({@code account_id}, {@code run_id},
 * {@code request_id}: fields of each JSON log line) for as long as it is open. Null values are left out.
 *
 * <pre>
 * try (LogContext context = LogContext.of(accountId, runId, requestId)) { ... }
 * </pre>
 */
public final class LogContext implements AutoCloseable {

    private final List<String> keys = new ArrayList<>(3);

    private LogContext() {
    }

    public static LogContext of(String accountId, String runId, String requestId) {
        LogContext context = new LogContext();
        context.put("account_id", accountId);
        context.put("run_id", runId);
        context.put("request_id", requestId);
        return context;
    }

    public static LogContext account(String accountId) {
        return of(accountId, null, null);
    }

    private void put(String key, String value) {
        if (value != null && !value.isEmpty()) {
            MDC.put(key, value);
            keys.add(key);
        }
    }

    @Override
    public void close() {
        keys.forEach(MDC::remove);
    }
}
