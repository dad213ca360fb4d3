package dev.rebalancer.portfolio.messaging;

import dev.rebalancer.contracts.EventFormatException;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.book.RunBook;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Records every run update from the executor, once per event id. An unreadable message goes to the dead-letter topic
 * with an alert, in the same transaction, and the consumer moves on.
 */
@ApplicationScoped
public class RunsConsumer {

    private static final Logger LOG = Logger.getLogger(RunsConsumer.class);

    private final RunBook runs;
    private final Outbox outbox;

    RunsConsumer(RunBook runs, Outbox outbox) {
        this.runs = runs;
        this.outbox = outbox;
    }

    @Incoming("runs")
    @Transactional
    public void consume(ConsumerRecord<String, String> record) {
        if (record.value() == null) {
            return;
        }
        RunEvent run;
        try {
            run = EventJson.read(record.value().getBytes(StandardCharsets.UTF_8), RunEvent.class);
        } catch (EventFormatException e) {
            LOG.warnf("unreadable run event at %s-%d@%d dead-lettered: %s", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            outbox.raw(Topics.deadLetterOf(Topics.RUNS), record.key(), record.value());
            outbox.alert(Severity.WARNING, record.key(), "Unreadable run event dead-lettered",
                    e.getMessage() + " (" + record.topic() + "-" + record.partition() + "@" + record.offset() + ")");
            return;
        }
        runs.record(run);
    }
}
