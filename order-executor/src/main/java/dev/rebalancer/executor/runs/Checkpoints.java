package dev.rebalancer.executor.runs;

import dev.rebalancer.contracts.RunPhase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.BiConsumer;

/**
 * Named points of a run's execution (before and after an order is sent, between phases) where tests stop the
 * executor as a crash would: {@link Killed} unwinds the driver and nothing is cleaned up.
 */
@ApplicationScoped
public class Checkpoints {

    /** Thrown by a test's hook: the executor dies here. */
    public static final class Killed extends Error {
        public Killed(String point) {
            super("killed at " + point);
        }
    }

    public static final String SELLS_SENT = sent(RunPhase.SELLS);
    public static final String BUYS_PLANNED = "buys-planned";
    public static final String ORDER_POSTED = "order-posted";

    private volatile BiConsumer<String, String> hook = (point, runId) -> {
    };

    /** Every order of the phase is out: {@code sells-sent}, {@code buys-sent}. */
    public static String sent(RunPhase phase) {
        return phase.name().toLowerCase(java.util.Locale.ROOT) + "-sent";
    }

    public void reached(String point, String runId) {
        hook.accept(point, runId);
    }

    public void hook(BiConsumer<String, String> newHook) {
        this.hook = newHook;
    }
}
