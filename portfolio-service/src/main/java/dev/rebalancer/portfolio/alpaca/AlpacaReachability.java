package dev.rebalancer.portfolio.alpaca;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import io.smallrye.health.api.Wellness;

/**
 * Whether Alpaca answers for every managed account, reported on {@code /q/health/well} (the management port) and
 * never part of readiness: an Alpaca outage must not take the API — the halt switch above all — out of service. DOWN
 * once an account's calls failed as many times in a row as raise the "Alpaca is unreachable" alert.
 */
@Wellness
@ApplicationScoped
public class AlpacaReachability implements HealthCheck {

    public static final String NAME = "Alpaca reachability";

    private final AlpacaHealth health;

    AlpacaReachability(AlpacaHealth health) {
        this.health = health;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME).up();
        health.failing().forEach((account, inARow) -> {
            response.withData(account, inARow + " failed call(s) in a row");
            if (!health.reachable(account)) {
                response.down();
            }
        });
        return response.build();
    }
}
