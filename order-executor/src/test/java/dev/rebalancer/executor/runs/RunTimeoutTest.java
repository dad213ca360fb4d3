package dev.rebalancer.executor.runs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Orders that do not fill within the fill timeout are canceled and the run ends TIMEOUT, with an alert. */
@QuarkusTest
@TestProfile(RunTimeoutTest.ShortFillTimeout.class)
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "executor"))
@WithTestResource(AlpacaSimResource.class)
class RunTimeoutTest {

    public static class ShortFillTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rebalancer.runs.fill-timeout", "2s");
        }
    }

    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void orders_unfilled_at_the_timeout_are_canceled_and_the_run_ends_timeout_with_an_alert() throws Exception {
        try (Harness harness = new Harness(simulator, bootstrap)) {
            String account = harness.account("exec-t13", "10000");
            harness.sim.config(60_000, "0");
            RebalanceRequest request = harness.request(account, RunType.INVEST_CASH, "1000", RunExecutionTest.SPY_ONLY);
            harness.send(request, account);

            RunEvent done = harness.awaitFinal(request.runId(), Duration.ofSeconds(30));

            assertThat(done.status()).isEqualTo(RunStatus.TIMEOUT);
            assertThat(harness.orders("exec-t13")).singleElement().extracting(Order::status).isEqualTo("canceled");
            assertThat(done.failedOrders()).singleElement().satisfies(o -> assertThat(o.status()).isEqualTo("canceled"));
            harness.alerts.await(r -> r.value().contains(request.runId()) && r.value().contains("TIMEOUT"), 1);
        }
    }
}
