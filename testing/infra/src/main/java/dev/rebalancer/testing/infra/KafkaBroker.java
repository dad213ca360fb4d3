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
    static final Map<String, String> SINGLE_NODE_CONFIG = Map.of(
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

    /**
     * Set to {@code sasl} (before the broker starts), this JVM's broker has only listeners that require SASL (PLAIN over
     * plaintext), with an authorizer that lets its admin user do anything. Kafka's test kit sets the JAAS configuration
     * JVM-wide: never in a JVM whose other tests expect a plain broker.
     */
    public static final String SECURITY_PROPERTY = "rebalancer-testing.kafka.security";
    /** The user the secured broker knows as a super user, and its password. */
    public static final String SASL_USER = org.apache.kafka.common.test.JaasUtils.KAFKA_PLAIN_ADMIN;
    public static final String SASL_PASSWORD = org.apache.kafka.common.test.JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD;
    /**
     * A user the secured broker also takes over SCRAM-SHA-512 (as a super user too), once its credentials are created —
     * over PLAIN, with {@code Admin.alterUserScramCredentials}, as an operator would.
     */
    public static final String SCRAM_USER = "scram-service";

    /** Whether this JVM's broker requires SASL. */
    public static boolean secured() {
        return "sasl".equals(System.getProperty(SECURITY_PROPERTY));
    }

    /** What a client of this JVM's broker needs beyond its address: nothing, or the SASL settings with a user. */
    public static Map<String, Object> clientConfig() {
        return secured() ? Map.copyOf(saslEnv(SASL_USER, SASL_PASSWORD).entrySet().stream().collect(
                java.util.stream.Collectors.toMap(e -> e.getKey().substring("KAFKA_".length()).toLowerCase(
                        java.util.Locale.ROOT).replace('_', '.'), Map.Entry::getValue))) : Map.of();
    }

    /** The services' variables for this JVM's broker: none, or the SASL ones with its admin user. */
    public static Map<String, String> clientEnv() {
        return secured() ? saslEnv(SASL_USER, SASL_PASSWORD) : Map.of();
    }

    /** The variables that make a service log in to this SASL broker as {@code user} with SCRAM-SHA-512. */
    public static Map<String, String> scramEnv(String user, String password) {
        return Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
    }

    /** The variables that make a service log in to a SASL (PLAIN) broker as {@code user}. */
    public static Map<String, String> saslEnv(String user, String password) {
        return Map.of("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM", "PLAIN",
                "KAFKA_SASL_JAAS_CONFIG", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + user + "\" password=\"" + password + "\";");
    }

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

    /** Creates the system's topics (and their dead-letter topics) on the broker at that address if they do not exist. */
    public static void createSystemTopics(String bootstrapServers) {
        List<NewTopic> topics = new ArrayList<>();
        Topics.layout().forEach((topic, configs) -> topics.add(new NewTopic(topic, PARTITIONS, (short) 1).configs(configs)));
        Map<String, Object> config = new java.util.HashMap<>(clientConfig());
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(config)) {
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
            TestKitNodes.Builder topology = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction());
            if (secured()) {
                topology.setBrokerSecurityProtocol(org.apache.kafka.common.security.auth.SecurityProtocol.SASL_PLAINTEXT)
                        .setControllerSecurityProtocol(
                                org.apache.kafka.common.security.auth.SecurityProtocol.SASL_PLAINTEXT);
            }
            TestKitNodes nodes = topology.build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            SINGLE_NODE_CONFIG.forEach(builder::setConfigProp);
            if (secured()) {
                // PLAIN as the kit sets it up (its JAAS, its admin, inter-broker and controller), and SCRAM beside it on
                // the clients' listener, whose server side needs a login module of its own.
                String listener = "listener.name." + nodes.brokerListenerName().value().toLowerCase(java.util.Locale.ROOT);
                builder.setConfigProp(listener + ".sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
                builder.setConfigProp(listener + ".scram-sha-512.sasl.jaas.config",
                        "org.apache.kafka.common.security.scram.ScramLoginModule required;");
                builder.setConfigProp("super.users", "User:" + SASL_USER + ";User:" + SCRAM_USER);
            }
            KafkaClusterTestKit kit = builder.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            InfraLog.say("Kafka broker (KRaft, %s%s) started at %s in %d ms", MetadataVersion.latestProduction(),
                    secured() ? ", SASL_PLAINTEXT only" : "", kit.bootstrapServers(),
                    (System.nanoTime() - started) / 1_000_000);
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
