package dev.rebalancer.portfolio.messaging;

import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.model.MarketClock;
import dev.rebalancer.contracts.EventFormatException;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.portfolio.alpaca.AlpacaAccounts;
import dev.rebalancer.portfolio.book.TradingHaltBook;
import dev.rebalancer.portfolio.config.PortfolioConfig;
import dev.rebalancer.rules.RequestCheck;
import dev.rebalancer.runtime.ConsumerRetry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * No silent stall. Alerts come from the service that fails, so a dead or crash-looping executor raises none, and
 * deposits would queue in silence: this service watches the flow and tells the owner, once each, naming the account
 * and the stage —
 * <ul>
 * <li>a rebalance request (from the drift monitor or this service) that no executor answered with a run within
 * {@code rebalancer.watchdog.request-within} ("is the order executor running?"); a request the executor refuses is
 * not waited for (it alerts itself);</li>
 * <li>a run with no event for {@code rebalancer.watchdog.run-stall-after} while the market is open (and has been for
 * that long, as far as this instance has seen) and trading is not halted: queued and never started, or started and no
 * longer moving.</li>
 * </ul>
 * Every request is read in a consumer group of the watchdog's own; what is judged is in the database, so any instance
 * may check, and each finding is alerted by one (rows locked, marked when told).
 */
@ApplicationScoped
public class FlowWatchdog {

    private static final Logger LOG = Logger.getLogger(FlowWatchdog.class);
    /** Requests older than this when first read (a new consumer group reading history) are not judged. */
    private static final Duration TOO_OLD = Duration.ofDays(1);
    private static final Duration CLOCK_FRESH = Duration.ofSeconds(60);

    private final EntityManager entityManager;
    private final Outbox outbox;
    private final ConsumerRetry retry;
    private final AlpacaAccounts accounts;
    private final TradingHaltBook halt;
    private final Duration requestWithin;
    private final Duration runStallAfter;

    private volatile MarketClock clock;
    private volatile Instant clockReadAt = Instant.MIN;
    /** Since when this instance has seen the market open (null: closed, or not known). */
    private volatile Instant openSince;

    private final Instances instances;

    FlowWatchdog(EntityManager entityManager, Outbox outbox, ConsumerRetry retry, AlpacaAccounts accounts,
            TradingHaltBook halt, PortfolioConfig config, Instances instances) {
        this.instances = instances;
        this.entityManager = entityManager;
        this.outbox = outbox;
        this.retry = retry;
        this.accounts = accounts;
        this.halt = halt;
        this.requestWithin = config.watchdog().requestWithin();
        this.runStallAfter = config.watchdog().runStallAfter();
    }

    @Incoming("watched-requests")
    @Blocking
    public void request(ConsumerRecord<String, String> record) {
        RebalanceRequest request = readable(record);
        if (request == null || RequestCheck.problem(request).isPresent()
                || request.occurredAt().isBefore(Instant.now().minus(TOO_OLD))) {
            return;
        }
        retry.untilApplied("watched-requests", () -> QuarkusTransaction.requiringNew().run(() ->
                entityManager.createNativeQuery("""
                        INSERT INTO flow_request (request_id, account_id, run_id, type, requested_at)
                        VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (request_id) DO NOTHING""")
                        .setParameter(1, request.requestId()).setParameter(2, request.accountId())
                        .setParameter(3, request.runId()).setParameter(4, name(request.type()))
                        .setParameter(5, request.occurredAt()).executeUpdate()));
    }

    /** The request, or null for anything else on the topic (a cancellation, a message the executor dead-letters). */
    private static RebalanceRequest readable(ConsumerRecord<String, String> record) {
        if (record.value() == null) {
            return null;
        }
        try {
            byte[] bytes = record.value().getBytes(StandardCharsets.UTF_8);
            String type = EventJson.eventType(bytes);
            return RebalanceRequest.TYPE.equals(type) || type.isEmpty() ? EventJson.read(bytes, RebalanceRequest.class)
                    : null;
        } catch (EventFormatException e) {
            return null;
        }
    }

    @Scheduled(every = "${rebalancer.watchdog.check-interval:15s}", delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, identity = "flow-watchdog")
    void check() {
        if (!instances.leader()) {
            return;
        }
        try {
            int requests = QuarkusTransaction.requiringNew().call(this::unansweredRequests);
            int runs = marketOpenFor(runStallAfter) && !halted()
                    ? QuarkusTransaction.requiringNew().call(this::stalledRuns) : 0;
            if (requests + runs > 0) {
                LOG.warnf("flow watchdog: %d request(s) no executor answered, %d stalled run(s); the owner is told",
                        requests, runs);
            }
        } catch (RuntimeException e) {
            LOG.warnf("flow watchdog could not check (next round in a moment): %s", e.getMessage());
        }
    }

    private int unansweredRequests() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager.createNativeQuery("""
                SELECT f.request_id, f.account_id, f.type, f.run_id,
                       CAST(extract(epoch FROM now() - f.seen_at) AS bigint)
                FROM flow_request f
                WHERE f.alerted_at IS NULL AND f.seen_at < now() - make_interval(secs => ?1)
                  AND NOT EXISTS (SELECT 1 FROM run r WHERE r.request_id = f.request_id)
                ORDER BY f.seen_at LIMIT 100 FOR UPDATE OF f SKIP LOCKED""")
                .setParameter(1, (double) requestWithin.toMillis() / 1000).getResultList();
        for (Object[] row : rows) {
            String requestId = (String) row[0];
            String account = (String) row[1];
            outbox.alert(Severity.CRITICAL, account, "Rebalance request not picked up: " + row[2] + " for account "
                    + account, "Request " + requestId + " (run " + row[3] + ") was published " + row[4]
                    + " s ago and no order executor has reported a run for it. Stage: order executor — is it running? "
                    + "The request waits on Kafka and is run once an executor is back.");
            entityManager.createNativeQuery("UPDATE flow_request SET alerted_at = now() WHERE request_id = ?1")
                    .setParameter(1, requestId).executeUpdate();
        }
        entityManager.createNativeQuery("DELETE FROM flow_request WHERE seen_at < now() - interval '2 days'")
                .executeUpdate();
        return rows.size();
    }

    private int stalledRuns() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = entityManager.createNativeQuery("""
                SELECT id, account_id, type, status, CAST(extract(epoch FROM now() - updated_at) AS bigint)
                FROM run
                WHERE status IN ('QUEUED', 'IN_PROGRESS') AND stall_alerted_at IS NULL
                  AND updated_at < now() - make_interval(secs => ?1)
                ORDER BY updated_at LIMIT 100 FOR UPDATE SKIP LOCKED""")
                .setParameter(1, (double) runStallAfter.toMillis() / 1000).getResultList();
        for (Object[] row : rows) {
            String runId = (String) row[0];
            String account = (String) row[1];
            boolean queued = "QUEUED".equals(row[3]);
            long minutes = ((Number) row[4]).longValue() / 60;
            outbox.alert(Severity.CRITICAL, account, "Run stalled: " + row[2] + " for account " + account,
                    "Run " + runId + " is " + row[3] + " with no news for " + (minutes > 0 ? minutes + " min" : row[4]
                            + " s") + " while the market is open. Stage: " + (queued
                            ? "waiting for an order executor to start it — is one running, and is another run of the "
                                    + "account holding it?"
                            : "being executed, and no longer reporting — is its order executor alive?"));
            entityManager.createNativeQuery("UPDATE run SET stall_alerted_at = now() WHERE id = ?1")
                    .setParameter(1, runId).executeUpdate();
        }
        return rows.size();
    }

    /** Whether the market is open and has been, as far as this instance has seen, for at least {@code span}. */
    private boolean marketOpenFor(Duration span) {
        MarketClock current = clock();
        if (current == null || !current.isOpen()) {
            openSince = null;
            return false;
        }
        Instant now = Instant.now();
        if (openSince == null) {
            openSince = now;
        }
        return !openSince.plus(span).isAfter(now);
    }

    /** Alpaca's clock, asked at most once a minute; null when no account can ask it. */
    private MarketClock clock() {
        Instant now = Instant.now();
        if (clock != null && clockReadAt.plus(CLOCK_FRESH).isAfter(now)) {
            return clock;
        }
        AlpacaClient client = accounts.anyClient().orElse(null);
        if (client == null) {
            return null;
        }
        try {
            clock = client.background().clock();
            clockReadAt = now;
        } catch (AlpacaException e) {
            LOG.debugf("flow watchdog: Alpaca's clock not read (%s)", e.getMessage());
        }
        return clock;
    }

    private boolean halted() {
        return halt.current().halted();
    }

    private static String name(dev.rebalancer.contracts.RunType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }
}
