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

    /** On the leader: the topics created, and those that existed checked (see {@link #create(Admin, List)}). */
    void create(@Observes StartupEvent event, PortfolioConfig config, dev.rebalancer.runtime.KafkaClients kafka,
            Instances instances) {
        if (!instances.leader()) {
            LOG.debug("the topics are the leading instance's to create");
            return;
        }
        Map<String, Object> settings = new java.util.HashMap<>(kafka.admin("topics"));
        settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        try (Admin admin = Admin.create(settings)) {
            create(admin, topics(config.topics()));
        } catch (RuntimeException e) {
            // Kafka being away at start-up is reported by the health check; the topics are created by the next start.
            LOG.warnf("could not create the topics: %s", e.getMessage());
        }
    }

    /**
     * Creates the topics that are missing; of those that exist, returns each whose partition count is not the one
     * configured, logged as an error: the drift monitor's inputs must share one count, and changing a topic's count
     * moves accounts between partitions (and so between the drift monitor's stores), which no setting here does.
     */
    static List<String> create(Admin admin, List<NewTopic> topics) {
        List<String> existing = new ArrayList<>();
        admin.createTopics(topics).values().forEach((name, result) -> {
            try {
                result.get(20, TimeUnit.SECONDS);
                LOG.infof("created topic %s", name);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof TopicExistsException) {
                    existing.add(name);
                } else {
                    LOG.warnf("could not create topic %s: %s", name, e.getCause().getMessage());
                }
            } catch (Exception e) {
                LOG.warnf("could not create topic %s: %s", name, e.getMessage());
            }
        });
        if (existing.isEmpty()) {
            return List.of();
        }
        Map<String, Integer> wanted = new java.util.HashMap<>();
        topics.forEach(topic -> wanted.put(topic.name(), topic.numPartitions()));
        List<String> mismatched = new ArrayList<>();
        Map<Integer, List<String>> byCount = new java.util.TreeMap<>();
        try {
            admin.describeTopics(existing).allTopicNames().get(20, TimeUnit.SECONDS).forEach((name, description) -> {
                int partitions = description.partitions().size();
                if (partitions != wanted.get(name)) {
                    mismatched.add(name);
                    byCount.computeIfAbsent(partitions, n -> new ArrayList<>()).add(name);
                }
            });
        } catch (Exception e) {
            LOG.warnf("could not check the existing topics' partitions: %s", e.getMessage());
        }
        byCount.forEach((partitions, names) -> LOG.errorf("%d topic(s) have %d partitions where"
                + " REBALANCER_TOPICS_PARTITIONS says %d: %s. Topics keep their count: set"
                + " REBALANCER_TOPICS_PARTITIONS to theirs, or recreate them all with one count while the system is"
                + " stopped", names.size(), partitions, wanted.get(names.get(0)), String.join(", ", names.stream()
                        .sorted().toList())));
        return mismatched;
    }
}
