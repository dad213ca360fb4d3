package dev.rebalancer.runtime;

import dev.rebalancer.alpaca.RequestObserver;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The metrics the services share, under one set of names (Prometheus adds {@code _total}, {@code _seconds} and the
 * like; the README's operations section lists them all). A service's own metrics are registered where its work is
 * done; those several services report alike are registered here.
 */
@ApplicationScoped
public class Metrics {

    /** Timer: every request sent to Alpaca, by {@code method}, {@code endpoint} and {@code status} ("none": no answer). */
    public static final String ALPACA_REQUESTS = "rebalancer.alpaca.requests";
    /** Gauge: requests a key's budget would still admit in the current minute, by {@code budget}. */
    public static final String ALPACA_BUDGET_REMAINING = "rebalancer.alpaca.budget.remaining";
    /** Counter: messages sent to a dead-letter topic, by {@code topic} (the topic they came from). */
    public static final String DEAD_LETTERED = "rebalancer.dead.lettered";
    /** Gauges: events written to the outbox and not yet published, and the age of the oldest. */
    public static final String OUTBOX_BACKLOG = "rebalancer.outbox.backlog";
    public static final String OUTBOX_OLDEST_AGE = "rebalancer.outbox.oldest.age.seconds";

    /**
     * Histogram: a deposit's journey, each stage from the one before — {@code seen} (Alpaca's activity time → the
     * poller recorded it), {@code published} (→ on Kafka), {@code requested} (→ the drift monitor's invest_cash
     * request), {@code queued} (→ the executor queued the run), {@code first_order} (→ the run's first order accepted).
     */
    public static final String DEPOSIT_STAGE = "rebalancer.deposit.stage";

    private static final Logger LOG = Logger.getLogger(Metrics.class);

    private final MeterRegistry registry;

    public Metrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Records each Alpaca request a client sends. */
    public RequestObserver alpacaRequests() {
        return (method, endpoint, status, took) -> Timer.builder(ALPACA_REQUESTS)
                .description("Requests sent to Alpaca, by endpoint and status (none: no answer)")
                .tag("method", method).tag("endpoint", endpoint)
                .tag("status", status == RequestObserver.NO_ANSWER ? "none" : Integer.toString(status))
                .register(registry).record(took);
    }

    /** Reports what a request budget has left; {@code -1} when it cannot tell just now. */
    public void alpacaBudget(String budget, Supplier<OptionalInt> remaining) {
        Gauge.builder(ALPACA_BUDGET_REMAINING, remaining, r -> r.get().orElse(-1))
                .description("Requests the Alpaca key's budget would still admit in the current minute")
                .tag("budget", budget).strongReference(true).register(registry);
    }

    /** Records one stage of a deposit's journey ({@link #DEPOSIT_STAGE}); a negative time (clocks apart) counts as 0. */
    public void depositStage(String stage, java.time.Duration took) {
        Timer.builder(DEPOSIT_STAGE).tag("stage", stage).publishPercentileHistogram()
                .description("A deposit's journey to its first order, stage by stage").register(registry)
                .record(took.isNegative() ? java.time.Duration.ZERO : took);
    }

    /** Counts a message sent to the dead-letter topic of {@code topic}. */
    public void deadLettered(String topic) {
        Counter.builder(DEAD_LETTERED).description("Messages sent to a dead-letter topic, by the topic they came from")
                .tag("topic", topic).register(registry).increment();
    }

    /** Creates the dead-letter counter of each topic at zero, so that a dashboard shows it before anything fails. */
    public void deadLetterTopics(java.util.Collection<String> topics) {
        topics.forEach(topic -> Counter.builder(DEAD_LETTERED).tag("topic", topic).register(registry));
    }

    /** The outbox's backlog and the age of its oldest event, read from the table at most once a second. */
    public void outbox(DataSource dataSource) {
        OutboxReading reading = new OutboxReading(dataSource);
        Gauge.builder(OUTBOX_BACKLOG, reading, r -> r.read()[0])
                .description("Events written to the outbox and not yet published to Kafka")
                .strongReference(true).register(registry);
        Gauge.builder(OUTBOX_OLDEST_AGE, reading, r -> r.read()[1])
                .description("Age of the oldest event not yet published to Kafka (0: none)")
                .strongReference(true).register(registry);
    }

    private static final class OutboxReading {
        private final DataSource dataSource;
        private double[] last = {Double.NaN, Double.NaN};
        private Instant readAt = Instant.MIN;

        OutboxReading(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        synchronized double[] read() {
            if (Duration.between(readAt, Instant.now()).compareTo(Duration.ofSeconds(1)) < 0) {
                return last;
            }
            try {
                last = Transactions.inTransaction(dataSource, c -> Transactions.one(c, """
                        SELECT count(*), coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)
                        FROM outbox""", row -> new double[] {row.getLong(1), row.getDouble(2)}).orElseThrow());
            } catch (RuntimeException e) {
                LOG.debugf("outbox backlog not read: %s", e.getMessage());
                last = new double[] {Double.NaN, Double.NaN};
            }
            readAt = Instant.now();
            return last;
        }
    }
}
