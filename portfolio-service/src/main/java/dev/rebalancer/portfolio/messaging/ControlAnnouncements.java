package dev.rebalancer.portfolio.messaging;

import dev.rebalancer.portfolio.book.TradingHaltBook;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Announces the halt switch's current state at start and every {@code rebalancer.control.announce-interval}: the
 * executor holds every order when it hears nothing for three intervals, so a lost or compacted-away message, or a
 * Kafka outage, never leaves it trading on a state it cannot confirm.
 */
@ApplicationScoped
public class ControlAnnouncements {

    private static final Logger LOG = Logger.getLogger(ControlAnnouncements.class);

    private final TradingHaltBook halt;
    private final Instances instances;

    ControlAnnouncements(TradingHaltBook halt, Instances instances) {
        this.halt = halt;
        this.instances = instances;
    }

    @Scheduled(every = "${rebalancer.control.announce-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void announce() {
        if (!instances.leader()) {
            return;
        }
        try {
            halt.announce();
        } catch (RuntimeException e) {
            LOG.warnf("the halt state was not announced (next try in one interval): %s", e.getMessage());
        }
    }
}
