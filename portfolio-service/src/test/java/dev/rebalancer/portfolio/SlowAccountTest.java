package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.Topics;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * An advisor's installation: one account's Alpaca answers only after the client has given up (every request times
 * out), and the other accounts' deposits are announced as promptly as ever.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(value = AlpacaSimResource.class, initArgs = @ResourceArg(name = "more-accounts", value = "slow"))
class SlowAccountTest {

    /** Over the client's 10 s request timeout: a poll of the slow account takes its four attempts, over 40 s. */
    private static final long SLOW_MS = 15_000;

    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void an_account_whose_alpaca_does_not_answer_holds_up_no_other_accounts_deposits() {
        String main = Accounts.idOf("main");
        String slow = Accounts.idOf("slow");
        SimAdminClient admin = new SimAdminClient(simulator);
        admin.latency(slow, SLOW_MS);
        try (TopicProbe probe = new TopicProbe(bootstrap, Topics.CASH_DEPOSITS)) {
            int before = probe.readToEnd(r -> main.equals(r.key())).size();
            // Polled one after the other, main would be polled once in every 40 s round, behind the slow account: of
            // these deposits, each made as soon as the one before was announced, at most the first could be
            // announced within 3 s.
            for (int i = 1; i <= 3; i++) {
                String activity = admin.deposit(main, "10.0" + i).get("id").asText();
                long deposited = System.nanoTime();

                probe.await(r -> r.value().contains(activity), 1);

                Duration took = Duration.ofNanos(System.nanoTime() - deposited);
                assertThat(took).as("deposit %d announced after %s", i, took).isLessThan(Duration.ofSeconds(3));
                assertThat(probe.records(r -> main.equals(r.key()))).hasSize(before + i);
            }
        } finally {
            admin.latency(slow, 0);
        }
    }
}
