package dev.rebalancer.portfolio.messaging;

import dev.rebalancer.contracts.EventFormatException;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.book.RunBook;
import dev.rebalancer.runtime.ConsumerRetry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Records every run update from the executor, once per event id. An unreadable message goes to the dead-letter topic
 * with an alert, in the same transaction, and the consumer moves on; any other failure (the database away) is retried
 * until the event is recorded, its offset uncommitted meanwhile ({@link ConsumerRetry}).
 */
@ApplicationScoped
public class RunsConsumer {

    private static final Logger LOG = Logger.getLogger(RunsConsumer.class);

    private final RunBook runs;
    private final Outbox outbox;
    private final ConsumerRetry retry;

    private final dev.rebalancer.runtime.Metrics metrics;

    RunsConsumer(RunBook runs, Outbox outbox, ConsumerRetry retry, dev.rebalancer.runtime.Metrics metrics) {
        this.metrics = metrics;
        metrics.deadLetterTopics(List.of(Topics.RUNS));
        this.retry = retry;
        this.runs = runs;
        this.outbox = outbox;
    }

    @Incoming("runs")
    @Blocking
    public void consume(ConsumerRecord<String, String> record) {
        if (record.value() != null) {
            retry.untilApplied("runs", () -> QuarkusTransaction.requiringNew().run(() -> apply(record)));
        }
    }

    private void apply(ConsumerRecord<String, String> record) {
        RunEvent run;
        try {
            run = EventJson.read(record.value().getBytes(StandardCharsets.UTF_8), RunEvent.class);
        } catch (EventFormatException e) {
            String where = dev.rebalancer.runtime.DeadLettered.where(record);
            if (!outbox.deadLetter(record)) {
                LOG.infof("unreadable run event at %s handed again: dead-lettered before, nothing written twice", where);
                return;
            }
            LOG.warnf("unreadable run event at %s dead-lettered: %s", where, e.getMessage());
            outbox.afterCommit(() -> metrics.deadLettered(Topics.RUNS));
            outbox.alert(Severity.WARNING, record.key(), "Unreadable run event dead-lettered",
                    e.getMessage() + " (" + where + ")");
            return;
        }
        try (var context = dev.rebalancer.runtime.LogContext.of(run.accountId(), run.runId(), run.requestId())) {
            runs.record(run);
        }
    }
}
