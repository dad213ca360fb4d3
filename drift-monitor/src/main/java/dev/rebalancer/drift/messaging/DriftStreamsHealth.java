package dev.rebalancer.drift.messaging;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready while the topology is processing. */
@Readiness
@ApplicationScoped
public class DriftStreamsHealth implements HealthCheck {

    static final String NAME = "Drift topology";

    private final DriftStreams streams;

    DriftStreamsHealth(DriftStreams streams) {
        this.streams = streams;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named(NAME).status(streams.running()).withData("state", streams.state()).build();
    }
}
