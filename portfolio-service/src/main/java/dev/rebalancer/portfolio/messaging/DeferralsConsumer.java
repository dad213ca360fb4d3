package dev.rebalancer.portfolio.messaging;

import dev.rebalancer.contracts.RebalanceDeferred;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.book.DeferralBook;
import dev.rebalancer.runtime.ConsumerRetry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Records every rebalance the drift monitor's volatility filter deferred, once per event id (the owner hears of it by
 * the monitor's alert). An unreadable message is dead-lettered with an alert in the same transaction; any other
 * failure is retried until the deferral is recorded ({@link ConsumerRetry}).
 */
@ApplicationScoped
public class DeferralsConsumer {

    private final DeferralBook deferrals;
    private final Outbox outbox;
    private final ConsumerRetry retry;

    DeferralsConsumer(DeferralBook deferrals, Outbox outbox, ConsumerRetry retry,
            dev.rebalancer.runtime.Metrics metrics) {
        this.deferrals = deferrals;
        this.outbox = outbox;
        this.retry = retry;
        metrics.deadLetterTopics(List.of(Topics.DEFERRALS));
    }

    @Incoming("deferrals")
    @Blocking
    public void consume(ConsumerRecord<String, String> record) {
        if (record.value() != null) {
            retry.untilApplied("deferrals", () -> QuarkusTransaction.requiringNew().run(() -> outbox
                    .readOrDeadLetter(record, RebalanceDeferred.class, "deferral").ifPresent(deferrals::record)));
        }
    }
}
