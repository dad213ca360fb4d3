package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.alpaca.AlpacaAccounts;
import dev.rebalancer.portfolio.alpaca.DepositPoller;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Polls that overlap — two instances, or a slow poll and the next — still announce each activity once. */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
class OverlappingPollsTest {

    @Inject
    DepositPoller poller;
    @Inject
    AlpacaAccounts accounts;
    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void concurrent_polls_announce_each_deposit_once() throws Exception {
        String accountId = Accounts.simAccountId();
        AlpacaAccounts.Managed account = accounts.byAccountId(accountId).orElseThrow();
        String activity = new SimAdminClient(simulator).deposit(accountId, "42.42").get("id").asText();

        ExecutorService pollers = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Void>> polls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                polls.add(() -> {
                    poller.poll(account);
                    return null;
                });
            }
            for (var done : pollers.invokeAll(polls)) {
                done.get();
            }
        } finally {
            pollers.shutdown();
        }

        try (TopicProbe probe = new TopicProbe(bootstrap, Topics.CASH_DEPOSITS)) {
            probe.await(r -> r.value().contains(activity), 1);
            Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> probe.records(r -> r.value().contains(activity)).size() == 1);
            assertThat(probe.records(r -> r.value().contains(activity))).hasSize(1);
        }
    }
}
