package dev.rebalancer.portfolio;

import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.ServiceEndpointsContract;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.util.List;

@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
class ServiceEndpointsTest extends ServiceEndpointsContract {

    @Override
    protected List<String> requiredHealthChecks() {
        return List.of(KAFKA_CHECK, DATABASE_CHECK);
    }

    @Override
    protected List<String> workerLoops() {
        return List.of("outbox-relay", "deposit-poller", "membership");
    }

    @Override
    protected RequestSpecification request() {
        return Api.authorized();
    }
}
