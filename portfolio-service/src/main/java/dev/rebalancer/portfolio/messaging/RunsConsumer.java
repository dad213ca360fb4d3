package dev.rebalancer.portfolio.messaging;

import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.book.RunBook;
import dev.rebalancer.runtime.ConsumerRetry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Records every run update from the executor, once per event id. An unreadable message goes to the dead-letter topic
 * with an alert, in the same transaction, and the consumer moves on; any other failure (the database away) is retried
 * until the event is recorded, its offset uncommitted meanwhile ({@link ConsumerRetry}).
 */
@ApplicationScoped
public class RunsConsumer {

    private final RunBook runs;
    private final Outbox outbox;
    private final ConsumerRetry retry;

    RunsConsumer(RunBook runs, Outbox outbox, ConsumerRetry retry, dev.rebalancer.runtime.Metrics metrics) {
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
        outbox.readOrDeadLetter(record, RunEvent.class, "run event").ifPresent(run -> {
            try (var context = dev.rebalancer.runtime.LogContext.of(run.accountId(), run.runId(), run.requestId())) {
                runs.record(run);
            }
        });
    }
}
