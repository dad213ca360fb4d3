package dev.rebalancer.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Readiness: DOWN while a consumer retries a message it cannot apply, naming the channel, since when and why. */
@Readiness
@ApplicationScoped
public class ConsumersReadiness implements HealthCheck {

    private final ConsumerRetry retry;

    ConsumersReadiness(ConsumerRetry retry) {
        this.retry = retry;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("consumers").up();
        retry.stalls().values().forEach(stall -> response.down()
                .withData(stall.channel(), "stalled since " + stall.since() + " after " + stall.attempts()
                        + " attempts: " + stall.lastError()));
        return response.build();
    }
}
