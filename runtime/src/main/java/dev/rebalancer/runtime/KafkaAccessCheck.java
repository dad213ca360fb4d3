package dev.rebalancer.runtime;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.jboss.logging.Logger;

/**
 * At start, asks Kafka who it is with this service's credentials: credentials Kafka refuses end the start with a
 * message saying so (a service that cannot be heard would otherwise run on in silence). A Kafka that does not answer
 * is not a reason to stop: the health checks report it, and the clients connect when it is back.
 */
@ApplicationScoped
public class KafkaAccessCheck {

    private static final Logger LOG = Logger.getLogger(KafkaAccessCheck.class);

    void check(@Observes StartupEvent event, KafkaClients kafka) {
        try (Admin admin = Admin.create(kafka.admin("access-check"))) {
            String cluster = admin.describeCluster().clusterId().get(15, TimeUnit.SECONDS);
            LOG.infof("Kafka at %s answers (%s, cluster %s)", kafka.bootstrapServers(), kafka.describe(), cluster);
        } catch (ExecutionException e) {
            String refused = kafka.refusal(e).orElse(null);
            if (refused != null) {
                throw new IllegalStateException(refused);
            }
            LOG.warnf("Kafka at %s did not answer at start (%s): %s; the service starts and connects when it does",
                    kafka.bootstrapServers(), kafka.describe(), e.getCause().getMessage());
        } catch (TimeoutException e) {
            LOG.warnf("Kafka at %s did not answer within 15 s (%s); the service starts and connects when it does",
                    kafka.bootstrapServers(), kafka.describe());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
