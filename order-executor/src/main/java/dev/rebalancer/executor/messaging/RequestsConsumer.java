package dev.rebalancer.executor.messaging;

import dev.rebalancer.contracts.EventFormatException;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunCancellation;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.TradingHalt;
import dev.rebalancer.executor.alpaca.Brokers;
import dev.rebalancer.executor.runs.Db;
import dev.rebalancer.rules.RequestCheck;
import dev.rebalancer.runtime.Metrics;
import dev.rebalancer.runtime.DeadLettered;
import dev.rebalancer.runtime.Outbox;
import dev.rebalancer.executor.runs.RunStore;
import dev.rebalancer.executor.runs.RunWorkers;
import dev.rebalancer.executor.runs.TradingHaltState;
import dev.rebalancer.runtime.ConsumerRetry;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Rebalance requests become QUEUED runs (once per request_id) and are acknowledged at once; the workers drive them
 * from the database. Run cancellations share the topic (by {@code event_type}) so they stay in order with the
 * account's requests. Control events set the halt switch. An unreadable message goes to its dead-letter topic with an
 * alert, through the outbox, and the consumer moves on; any other failure (the database away) is retried until the
 * message is applied, its offset uncommitted meanwhile ({@link ConsumerRetry}).
 */
@ApplicationScoped
public class RequestsConsumer {

    private static final Logger LOG = Logger.getLogger(RequestsConsumer.class);

    private final RunStore store;
    private final Brokers brokers;
    private final RunWorkers workers;
    private final TradingHaltState haltState;
    private final OutboxRelay relay;
    private final ConsumerRetry retry;
    private final Metrics metrics;

    RequestsConsumer(RunStore store, Brokers brokers, RunWorkers workers, TradingHaltState haltState,
            OutboxRelay relay, ConsumerRetry retry, Metrics metrics) {
        this.retry = retry;
        this.metrics = metrics;
        metrics.deadLetterTopics(java.util.List.of(Topics.REBALANCE_REQUESTS, Topics.CONTROL));
        this.store = store;
        this.brokers = brokers;
        this.workers = workers;
        this.haltState = haltState;
        this.relay = relay;
    }

    /**
     * Accounts apart, one account in order: the channel hands messages of different keys (accounts) to several worker
     * threads at once ({@code ordered=key}), so one account's request waiting on the database or a lock does not hold
     * the other accounts' back, while an account's requests and cancellations are applied in their order.
     */
    @Incoming("rebalance-requests")
    @io.smallrye.reactive.messaging.annotations.Blocking(ordered = false)
    public void request(ConsumerRecord<String, String> record) {
        retry.untilApplied("rebalance-requests", () -> applyRequest(record));
        relay.wake();
        workers.wake();
    }

    private void applyRequest(ConsumerRecord<String, String> record) {
        try {
            byte[] bytes = record.value() == null ? new byte[0] : record.value().getBytes(StandardCharsets.UTF_8);
            String type = EventJson.eventType(bytes);
            switch (type) {
                case RunCancellation.TYPE -> {
                    RunCancellation cancel = EventJson.read(bytes, RunCancellation.class);
                    if (!store.requestCancel(cancel.runId(), cancel.reason())) {
                        LOG.infof("cancel of run %s ignored: unknown or already ended", cancel.runId());
                    }
                }
                case RebalanceRequest.TYPE, "" -> {
                    RebalanceRequest request = EventJson.read(bytes, RebalanceRequest.class);
                    String problem = RequestCheck.problem(request).orElse(null);
                    if (problem != null) {
                        deadLetter(record, "Rebalance request refused", "request " + request.requestId()
                                + " for account " + request.accountId() + " is not traded on: " + problem);
                        return;
                    }
                    try (var context = dev.rebalancer.runtime.LogContext.of(request.accountId(), request.runId(),
                            request.requestId())) {
                        if (store.accept(request, brokers.provisionalDryRun(request.accountId()))) {
                            if (RebalanceRequest.depositOf(request.requestId()).isPresent()) {
                                metrics.depositStage("queued", java.time.Duration.between(request.occurredAt(),
                                        java.time.Instant.now()));
                            }
                            LOG.infof("run %s queued for account %s (%s, request %s)", request.runId(),
                                    request.accountId(), request.type(), request.requestId());
                        }
                    }
                }
                default -> deadLetter(record, unreadable(record), "unknown event_type '" + type + "'");
            }
        } catch (EventFormatException e) {
            deadLetter(record, unreadable(record), e.getMessage());
        }
    }

    @Incoming("control")
    @Blocking
    public void control(ConsumerRecord<String, String> record) {
        retry.untilApplied(TradingHaltState.CONTROL_CHANNEL, () -> applyControl(record));
        relay.wake();
        workers.wake();
    }

    private void applyControl(ConsumerRecord<String, String> record) {
        try {
            TradingHalt control = EventJson.read(record.value() == null ? "" : record.value(), TradingHalt.class);
            if (haltState.apply(control)) {
                LOG.infof("trading %s%s", control.halted() ? "halted: " : "resumed",
                        control.halted() ? control.reason() : "");
            }
        } catch (EventFormatException e) {
            deadLetter(record, unreadable(record), e.getMessage());
        }
    }

    private static String unreadable(ConsumerRecord<String, String> record) {
        return "Unreadable " + record.topic() + " message dead-lettered";
    }

    /**
     * Copies the message to its topic's dead-letter topic and tells the owner, once per position: a message handed
     * again (the executor died, or the group rebalanced, before its offset was committed) finds its position recorded
     * and writes nothing a second time.
     */
    private void deadLetter(ConsumerRecord<String, String> record, String title, String why) {
        String where = DeadLettered.where(record);
        boolean first = store.db().inTransaction(c -> {
            if (!DeadLettered.first(c, record)) {
                return false;
            }
            Outbox.add(c, Topics.deadLetterOf(record.topic()), record.key() == null ? "" : record.key(),
                    record.value() == null ? "" : record.value());
            RunStore.alert(c, record.key(), null, Severity.WARNING, title, why);
            return true;
        });
        if (first) {
            LOG.warnf("message %s dead-lettered: %s", where, why);
            metrics.deadLettered(record.topic());
        } else {
            LOG.infof("message %s handed again: dead-lettered before, nothing written twice", where);
        }
    }
}
