package dev.rebalancer.testing.infra;

import dev.rebalancer.contracts.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller combined), running inside this JVM on a free
 * port. Started on first use, once per JVM, and shut down when the JVM exits.
 */
public final class KafkaBroker {

    /**
     * One broker has no replicas to wait for: the internal topics must ask for exactly one, or Kafka transactions and
     * Kafka Streams exactly-once hang. Few internal partitions keep start-up and group joins fast.
     */
    private static final Map<String, String> SINGLE_NODE_CONFIG = Map.of(
            "offsets.topic.replication.factor", "1",
            "offsets.topic.num.partitions", "4",
            "transaction.state.log.replication.factor", "1",
            "transaction.state.log.min.isr", "1",
            "transaction.state.log.num.partitions", "4",
            "group.initial.rebalance.delay.ms", "0",
            "share.coordinator.state.topic.replication.factor", "1",
            "share.coordinator.state.topic.min.isr", "1");

    /**
     * Where the broker's address is kept for the whole JVM: Quarkus loads test resources anew for each application it
     * starts, so a static field alone would start a second broker after a restart.
     */
    static final String ADDRESS_PROPERTY = "rebalancer-testing.kafka.bootstrap-servers";

    private static KafkaClusterTestKit cluster;

    private KafkaBroker() {
    }

    /** The broker's {@code host:port}, starting it if this JVM has none yet. */
    public static String bootstrapServers() {
        synchronized (System.class) {
            String running = System.getProperty(ADDRESS_PROPERTY);
            if (running != null) {
                return running;
            }
            cluster = start();
            Runtime.getRuntime().addShutdownHook(new Thread(KafkaBroker::stop, "kafka-broker-stop"));
            System.setProperty(ADDRESS_PROPERTY, cluster.bootstrapServers());
            return cluster.bootstrapServers();
        }
    }

    /** Partitions of every system topic in tests: more than one, so that keys really are spread. */
    public static final int PARTITIONS = 3;

    /** Creates the system's topics (and their dead-letter topics) if they do not exist yet. */
    public static void createSystemTopics() {
        createSystemTopics(bootstrapServers());
    }

    /**
     * A broker of its own, apart from the JVM's shared one, with the system's topics: for a benchmark whose traffic
     * must reach no other's services. Closed by its user.
     */
    public static final class Isolated implements AutoCloseable {
        private final KafkaClusterTestKit kit;

        private Isolated(KafkaClusterTestKit kit) {
            this.kit = kit;
        }

        public static Isolated start() {
            Isolated broker = new Isolated(KafkaBroker.start());
            createSystemTopics(broker.bootstrapServers());
            return broker;
        }

        public String bootstrapServers() {
            return kit.bootstrapServers();
        }

        @Override
        public void close() throws Exception {
            kit.close();
        }
    }

    private static void createSystemTopics(String bootstrapServers) {
        List<NewTopic> topics = new ArrayList<>();
        Topics.layout().forEach((topic, configs) -> topics.add(new NewTopic(topic, PARTITIONS, (short) 1).configs(configs)));
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            for (var result : admin.createTopics(topics).values().values()) {
                try {
                    result.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create a topic", e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the broker did not create the topics in time", e);
        }
    }

    private static KafkaClusterTestKit start() {
        long started = System.nanoTime();
        // A broker inside someone else's JVM must not end it: Kafka calls exit/halt when, say, its log directories
        // fail, which at shutdown would turn a run whose tests all passed into a failed fork. Said, not obeyed.
        Exit.setExitProcedure((status, message) -> InfraLog.say("Kafka broker asked to exit(%d): %s", status, message));
        Exit.setHaltProcedure((status, message) -> InfraLog.say("Kafka broker asked to halt(%d): %s", status, message));
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            SINGLE_NODE_CONFIG.forEach(builder::setConfigProp);
            KafkaClusterTestKit kit = builder.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            InfraLog.say("Kafka broker (KRaft, %s) started at %s in %d ms", MetadataVersion.latestProduction(),
                    kit.bootstrapServers(), (System.nanoTime() - started) / 1_000_000);
            return kit;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the Kafka broker", e);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the in-process Kafka broker", e);
        }
    }

    private static synchronized void stop() {
        try {
            cluster.close();
        } catch (Exception e) {
            InfraLog.say("Kafka broker did not close cleanly: %s", e);
        }
    }
}
