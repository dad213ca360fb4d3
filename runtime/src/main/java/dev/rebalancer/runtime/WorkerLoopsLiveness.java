package dev.rebalancer.runtime;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness: each running {@link WorkerLoop}'s heartbeat, DOWN while one of them is stuck in a round (its thread hung in
 * a call that never returns), so the orchestrator restarts the service instead of it staying up and doing nothing.
 */
@Liveness
@ApplicationScoped
public class WorkerLoopsLiveness implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        Instant now = Instant.now();
        HealthCheckResponseBuilder response = HealthCheckResponse.named("worker-loops").up();
        for (WorkerLoop loop : WorkerLoop.running()) {
            WorkerLoop.Heartbeat beat = loop.heartbeat(now);
            if (beat.stuck()) {
                response.down().withData(beat.name(), "stuck in a round since " + beat.roundSince().orElseThrow());
            } else {
                response.withData(beat.name(), beat.lastEnded().map(at -> "last round ended " + at
                        + beat.lastError().map(e -> ", failed: " + e).orElse("")).orElse("no round yet"));
            }
        }
        return response.build();
    }
}
