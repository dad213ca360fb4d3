package dev.rebalancer.executor.messaging;

import dev.rebalancer.executor.config.ExecutorConfig;
import dev.rebalancer.executor.runs.RunStore;
import dev.rebalancer.runtime.ConsumerRetry;
import dev.rebalancer.runtime.KafkaClients;
import dev.rebalancer.runtime.Outbox;
import dev.rebalancer.runtime.StalledConsumerAlerts;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.time.Duration;

/** The executor's outbox relay ({@link Outbox.Relay}), started and stopped with the service. */
@ApplicationScoped
public class OutboxRelay {

    private final Outbox.Relay relay;

    OutboxRelay(AgroalDataSource dataSource, KafkaClients kafka, ExecutorConfig config,
            dev.rebalancer.runtime.Metrics metrics) {
        metrics.outbox(dataSource);
        this.relay = new Outbox.Relay(dataSource, kafka.outboxProducer(), "order-executor", config.outboxRelay(),
                Duration.ofMillis(250));
    }

    void start(@Observes StartupEvent event) {
        relay.start();
    }

    /** Asks for a relay round soon: a change with events has committed. */
    public void wake() {
        relay.wake();
    }

    /** A stuck consumer's alarm goes out on the alerts topic directly, not through the outbox. */
    @Produces
    @ApplicationScoped
    ConsumerRetry.Alarm stalledConsumerAlarm() {
        return new StalledConsumerAlerts(RunStore.SOURCE, relay.producer());
    }

    void close(@Observes ShutdownEvent event) {
        relay.close();
    }
}
