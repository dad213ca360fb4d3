package dev.rebalancer.portfolio.messaging;

import dev.rebalancer.contracts.EventFormatException;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RebalanceDeferred;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.book.DeferralBook;
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
 * Records every rebalance the drift monitor's volatility filter deferred, once per event id (the owner hears of it by
 * the monitor's alert). An unreadable message is dead-lettered with an alert in the same transaction; any other
 * failure is retried until the deferral is recorded ({@link ConsumerRetry}).
 */
@ApplicationScoped
public class DeferralsConsumer {

    private static final Logger LOG = Logger.getLogger(DeferralsConsumer.class);

    private final DeferralBook deferrals;
    private final Outbox outbox;
    private final ConsumerRetry retry;
    private final dev.rebalancer.runtime.Metrics metrics;

    DeferralsConsumer(DeferralBook deferrals, Outbox outbox, ConsumerRetry retry,
            dev.rebalancer.runtime.Metrics metrics) {
        this.deferrals = deferrals;
        this.outbox = outbox;
        this.retry = retry;
        this.metrics = metrics;
        metrics.deadLetterTopics(List.of(Topics.DEFERRALS));
    }

    @Incoming("deferrals")
    @Blocking
    public void consume(ConsumerRecord<String, String> record) {
        if (record.value() != null) {
            retry.untilApplied("deferrals", () -> QuarkusTransaction.requiringNew().run(() -> apply(record)));
        }
    }

    private void apply(ConsumerRecord<String, String> record) {
        RebalanceDeferred deferred;
        try {
            deferred = EventJson.read(record.value().getBytes(StandardCharsets.UTF_8), RebalanceDeferred.class);
        } catch (EventFormatException e) {
            String where = dev.rebalancer.runtime.DeadLettered.where(record);
            if (!outbox.deadLetter(record)) {
                LOG.infof("unreadable deferral at %s handed again: dead-lettered before, nothing written twice", where);
                return;
            }
            LOG.warnf("unreadable deferral at %s dead-lettered: %s", where, e.getMessage());
            outbox.afterCommit(() -> metrics.deadLettered(Topics.DEFERRALS));
            outbox.alert(Severity.WARNING, record.key(), "Unreadable deferral dead-lettered",
                    e.getMessage() + " (" + where + ")");
            return;
        }
        deferrals.record(deferred);
    }
}
