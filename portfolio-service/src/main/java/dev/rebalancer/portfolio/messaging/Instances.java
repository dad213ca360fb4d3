package dev.rebalancer.portfolio.messaging;

import dev.rebalancer.portfolio.alpaca.AlpacaAccounts;
import dev.rebalancer.portfolio.config.PortfolioConfig;
import dev.rebalancer.runtime.Membership;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * portfolio-service's instances ({@link Membership}): each polls the deposits and positions of the accounts it owns;
 * the leader alone creates the topics, announces the halt state, publishes the calendar, reviews the assets and
 * watches the flow.
 */
@ApplicationScoped
public class Instances {

    /** Gauge: 1 on the instance that leads, 0 on the others. */
    public static final String LEADER = "rebalancer.instance.leader";
    /** Gauge: the accounts this instance polls. */
    public static final String OWNED = "rebalancer.accounts.owned";

    private final Membership membership;

    Instances(AgroalDataSource dataSource, PortfolioConfig config, AlpacaAccounts accounts,
            dev.rebalancer.runtime.Metrics metrics) {
        this.membership = new Membership(dataSource, "portfolio-service", config.instances().heartbeat(),
                config.instances().expiry());
        Gauge.builder(LEADER, membership, m -> m.leader() ? 1 : 0)
                .description("1 on the portfolio-service instance that leads (topics, halt, calendar), 0 on others")
                .register(metrics.registry());
        Gauge.builder(OWNED, this, i -> accounts.all().stream().filter(a -> i.owns(a.accountId())).count())
                .description("Accounts whose deposits and positions this portfolio-service instance polls")
                .register(metrics.registry());
    }

    /** Before anything that asks whether it leads (the topics are created at start-up by the leader). */
    void start(@Observes @Priority(100) StartupEvent event) {
        membership.start();
    }

    /** Whether this instance does what must happen once. */
    public boolean leader() {
        return membership.leader();
    }

    /** Whether this instance polls the account. */
    public boolean owns(String accountId) {
        return membership.owns(accountId);
    }

    void stop(@Observes @Priority(100) ShutdownEvent event) {
        membership.close();
    }
}
