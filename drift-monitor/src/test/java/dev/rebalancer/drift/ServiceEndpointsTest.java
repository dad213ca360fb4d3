package dev.rebalancer.drift;

import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.ServiceEndpointsContract;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;

@QuarkusTest
@WithTestResource(KafkaResource.class)
class ServiceEndpointsTest extends ServiceEndpointsContract {

    @Override
    protected List<String> requiredHealthChecks() {
        return List.of(KAFKA_CHECK, "Drift topology");
    }
}
