package dev.rebalancer.portfolio.messaging;

import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.config.PortfolioConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jboss.logging.Logger;

/**
 * Creates the system's topics at start-up when they are missing: one partition count for all (co-partitioning), the
 * state topics compacted, and a dead-letter topic beside each.
 */
@ApplicationScoped
public class KafkaTopicsSetup {

    private static final Logger LOG = Logger.getLogger(KafkaTopicsSetup.class);

    /** Every topic of the system as configured: partitions, replicas, and the replicas a write must reach. */
    static List<NewTopic> topics(PortfolioConfig.Topics settings) {
        List<NewTopic> topics = new ArrayList<>();
        Topics.layout().forEach((topic, configs) -> {
            Map<String, String> all = new java.util.LinkedHashMap<>(configs);
            all.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(settings.minInsyncReplicas()));
            topics.add(new NewTopic(topic, settings.partitions(), settings.replicationFactor()).configs(all));
        });
        return topics;
    }

    void create(@Observes StartupEvent event, PortfolioConfig config, dev.rebalancer.runtime.KafkaClients kafka) {
        List<NewTopic> topics = topics(config.topics());
        Map<String, Object> settings = new java.util.HashMap<>(kafka.admin("topics"));
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        try (Admin admin = Admin.create(settings)) {
            admin.createTopics(topics).values().forEach((name, result) -> {
                try {
                    result.get(20, TimeUnit.SECONDS);
                    LOG.infof("created topic %s", name);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        LOG.warnf("could not create topic %s: %s", name, e.getCause().getMessage());
                    }
                } catch (Exception e) {
                    LOG.warnf("could not create topic %s: %s", name, e.getMessage());
                }
            });
        } catch (RuntimeException e) {
            // Kafka being away at start-up is reported by the health check; the topics are created by the next start.
            LOG.warnf("could not create the topics: %s", e.getMessage());
        }
    }
}
