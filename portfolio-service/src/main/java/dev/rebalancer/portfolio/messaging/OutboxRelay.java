package dev.rebalancer.portfolio.messaging;

import dev.rebalancer.portfolio.config.PortfolioConfig;
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
import org.apache.kafka.clients.producer.Producer;

/** portfolio-service's outbox relay ({@link Outbox.Relay}), started and stopped with the service. */
@ApplicationScoped
public class OutboxRelay {

    private final Outbox.Relay relay;

    OutboxRelay(AgroalDataSource dataSource, KafkaClients kafka, PortfolioConfig config,
            dev.rebalancer.runtime.Metrics metrics) {
        metrics.outbox(dataSource);
        this.relay = new Outbox.Relay(dataSource, kafka.outboxProducer(), "portfolio-service", config.outboxRelay(),
                Duration.ofMillis(250));
        relay.onPublished((topic, payload, writtenAt) -> {
            if (dev.rebalancer.contracts.Topics.CASH_DEPOSITS.equals(topic)) {
                metrics.depositStage("published", Duration.between(writtenAt, java.time.Instant.now()));
            }
        });
    }

    void start(@Observes StartupEvent event) {
        relay.start();
    }

    /** Asks for a relay round soon: a change with events has committed. */
    void wake() {
        relay.wake();
    }

    /** Publishes up to one batch; returns how many went out. */
    public int publishBatch() {
        return relay.publishBatch();
    }

    /** The relay's producer, for what goes to Kafka without announcing a database change (a dead letter's replay). */
    Producer<String, String> producer() {
        return relay.producer();
    }

    /** A stuck consumer's alarm goes out on the alerts topic directly, not through the outbox. */
    @Produces
    @ApplicationScoped
    ConsumerRetry.Alarm stalledConsumerAlarm() {
        return new StalledConsumerAlerts(dev.rebalancer.portfolio.messaging.Outbox.SOURCE, relay.producer());
    }

    void close(@Observes ShutdownEvent event) {
        relay.close();
    }
}
