package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.messaging.Outbox;
import dev.rebalancer.portfolio.messaging.OutboxRelay;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The service stops between the commit of a change and the publication of its event: the event waits in the outbox
 * and goes out, once, when the relay runs again. The relay does not run by itself here; the test decides when.
 */
@QuarkusTest
@TestProfile(OutboxRelayTest.RelayStopped.class)
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
class OutboxRelayTest {

    public static class RelayStopped implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("rebalancer.outbox-relay", "false");
        }
    }

    @Inject
    Outbox outbox;
    @Inject
    OutboxRelay relay;
    @Inject
    jakarta.persistence.EntityManager entityManager;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @Test
    void an_event_committed_but_never_published_goes_out_once_when_the_relay_runs_again() {
        String key = "account-" + UUID.randomUUID();
        Alert alert = new Alert(UUID.randomUUID().toString(), key, Instant.now(), Severity.WARNING, "interrupted",
                "committed before the crash", null, "test");
        QuarkusTransaction.requiringNew().run(() -> outbox.publish(Topics.ALERTS, key, alert));

        try (TopicProbe probe = new TopicProbe(bootstrap, Topics.ALERTS)) {
            Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> probe.records(r -> key.equals(r.key())).isEmpty());

            while (relay.publishBatch() > 0) {
                // the relay of the restarted service drains the outbox
            }

            var delivered = probe.await(r -> key.equals(r.key()), 1);
            assertThat(EventJson.read(delivered.get(0).value(), Alert.class)).isEqualTo(alert);
            // Relayed again (the halt switch's announcements keep coming meanwhile): this event does not go out twice.
            while (relay.publishBatch() > 0) {
                // drain
            }
            Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> probe.records(r -> key.equals(r.key())).size() == 1);
        }
        long waiting = QuarkusTransaction.requiringNew().call(() -> ((Number) entityManager
                .createNativeQuery("SELECT count(*) FROM outbox WHERE message_key = ?1").setParameter(1, key)
                .getSingleResult()).longValue());
        assertThat(waiting).isZero();
    }
}
