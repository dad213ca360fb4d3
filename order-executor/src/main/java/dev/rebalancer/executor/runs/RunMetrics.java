package dev.rebalancer.executor.runs;

import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Locale;

/**
 * The executor's runs and orders as metrics, counted once each, after the change that made them committed: a run when
 * it starts (its first phase planned) and when it ends, with its duration from being queued; its orders when the run
 * ends, by side and Alpaca's last status for them.
 */
@ApplicationScoped
public class RunMetrics {

    public static final String STARTED = "rebalancer.runs.started";
    public static final String FINISHED = "rebalancer.runs.finished";
    public static final String DURATION = "rebalancer.run.duration";
    public static final String ORDERS = "rebalancer.orders";

    private final MeterRegistry registry;
    private final dev.rebalancer.runtime.Metrics metrics;

    RunMetrics(dev.rebalancer.runtime.Metrics metrics) {
        this.metrics = metrics;
        this.registry = metrics.registry();
        for (RunType type : RunType.values()) {
            Counter.builder(STARTED).tag("type", name(type)).description("Runs started (first phase planned), by type")
                    .register(registry);
        }
    }

    void started(RunEvent run) {
        registry.counter(STARTED, "type", name(run.type())).increment();
    }

    void finished(RunEvent run) {
        String type = name(run.type());
        String status = run.status().name();
        Counter.builder(FINISHED).tag("type", type).tag("status", status)
                .description("Runs ended, by type and final status").register(registry).increment();
        if (run.completedAt() != null && run.createdAt() != null) {
            Timer.builder(DURATION).tag("type", type).tag("status", status).publishPercentileHistogram()
                    .description("From a run being queued to its end").register(registry)
                    .record(Duration.between(run.createdAt(), run.completedAt()));
        }
        if (dev.rebalancer.contracts.RebalanceRequest.depositOf(run.requestId()).isPresent()) {
            // The last stage of a deposit's journey: from its run queued to the run's first order accepted.
            run.firstOrderSubmittedAt().ifPresent(first -> metrics.depositStage("first_order", Duration.between(run.createdAt(), first)));
        }
        run.orders().forEach(order -> order(order, run.dryRun() ? "dry_run" : status(order)));
        run.failedOrders().forEach(order -> order(order, "rejected"));
    }

    private void order(RunOrder order, String status) {
        Counter.builder(ORDERS).tag("side", order.side().name().toLowerCase(Locale.ROOT)).tag("status", status)
                .description("Orders of ended runs, by side and Alpaca's last status (not_sent: never submitted)")
                .register(registry).increment();
    }

    private static String status(RunOrder order) {
        if (order.status() != null) {
            return order.status();
        }
        return order.id() == null ? "not_sent" : "unknown";
    }

    private static String name(RunType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }
}
