package dev.rebalancer.runtime;

import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The one way this system's own Kafka clients are configured: the whole {@code kafka.*} configuration (as
 * {@code kafka.security.protocol} or {@code KAFKA_SECURITY_PROTOCOL}: bootstrap servers, security protocol, SASL
 * mechanism and JAAS configuration, TLS trust and key stores, timeouts), the same the SmallRye channels get, applied to
 * every producer, consumer, admin client and Kafka Streams application made by hand, each given only the settings its
 * kind of client knows. Client ids are {@code <prefix>-<purpose>}, the prefix {@code KAFKA_CLIENT_ID_PREFIX} or the
 * application's name.
 */
@ApplicationScoped
public class KafkaClients {

    /** Settings every kind of client shares: where the cluster is and how to reach it, securely. */
    private static final Set<String> CONNECTION = connectionNames();

    private final Map<String, Object> kafka;
    private final String clientIdPrefix;

    @jakarta.inject.Inject
    KafkaClients(@Identifier("default-kafka-broker") Map<String, Object> kafka,
            @ConfigProperty(name = "quarkus.application.name") String applicationName) {
        this(String.valueOf(kafka.getOrDefault("client.id.prefix", applicationName)), kafka);
    }

    private KafkaClients(String clientIdPrefix, Map<String, Object> kafka) {
        this.kafka = Map.copyOf(kafka);
        this.clientIdPrefix = clientIdPrefix;
        if (!this.kafka.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
            throw new IllegalStateException("KAFKA_BOOTSTRAP_SERVERS is not set: where is Kafka?");
        }
    }

    /** Clients from a {@code kafka.*} configuration (keys without the prefix), as outside a Quarkus application. */
    public static KafkaClients of(Map<String, Object> kafka, String clientIdPrefix) {
        return new KafkaClients(clientIdPrefix, kafka);
    }

    public String bootstrapServers() {
        return String.valueOf(kafka.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    }

    /** A producer's configuration for {@code purpose}, with the caller's own settings over the common ones. */
    public Map<String, Object> producer(String purpose, Map<String, Object> settings) {
        return config(ProducerConfig.configNames(), purpose, settings);
    }

    /**
     * The producer of an outbox relay: every record acknowledged by all in-sync replicas, idempotent, sent at once, and
     * a Kafka that is away noticed within seconds (the rows stay in the outbox until it is back).
     */
    public Producer<String, String> outboxProducer() {
        return new KafkaProducer<>(producer("outbox", Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000)), new StringSerializer(), new StringSerializer());
    }

    /** A consumer's configuration for {@code purpose}; its group is the caller's to set. */
    public Map<String, Object> consumer(String purpose, Map<String, Object> settings) {
        Map<String, Object> config = config(ConsumerConfig.configNames(), purpose, settings);
        if (!settings.containsKey(ConsumerConfig.GROUP_ID_CONFIG)) {
            config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        }
        return config;
    }

    /** An admin client's configuration for {@code purpose}. */
    public Map<String, Object> admin(String purpose) {
        return config(AdminClientConfig.configNames(), purpose, Map.of());
    }

    /**
     * The connection settings for a Kafka Streams application (which passes them to each of its clients), with the
     * application's own settings over them; Kafka Streams names its clients after the application id.
     */
    public Map<String, Object> streams(Map<String, Object> settings) {
        Map<String, Object> config = new HashMap<>();
        kafka.forEach((name, value) -> {
            if (CONNECTION.contains(name)) {
                config.put(name, value);
            }
        });
        config.putAll(settings);
        return config;
    }

    private Map<String, Object> config(Set<String> known, String purpose, Map<String, Object> settings) {
        Map<String, Object> config = new HashMap<>();
        kafka.forEach((name, value) -> {
            if (known.contains(name)) {
                config.put(name, value);
            }
        });
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientIdPrefix + "-" + purpose);
        config.putAll(settings);
        return config;
    }

    /**
     * What to tell the user when Kafka refused this service's credentials or rights (anywhere in the causes); empty
     * for any other failure, which is worth waiting out.
     */
    public Optional<String> refusal(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AuthenticationException) {
                return Optional.of("Kafka at " + bootstrapServers() + " refused this service's credentials ("
                        + describe() + "): " + cause.getMessage()
                        + "; check KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM and KAFKA_SASL_JAAS_CONFIG");
            }
            if (cause instanceof AuthorizationException) {
                return Optional.of("Kafka at " + bootstrapServers() + " does not allow this service (" + describe()
                        + ") what it needs: " + cause.getMessage() + "; check the ACLs of its user");
            }
        }
        return Optional.empty();
    }

    /** How this service reaches Kafka, in words: never a password. */
    public String describe() {
        String protocol = String.valueOf(kafka.getOrDefault(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT"))
                .toUpperCase(Locale.ROOT);
        Object mechanism = kafka.get("sasl.mechanism");
        return protocol.startsWith("SASL") ? protocol + " " + (mechanism == null ? "GSSAPI" : mechanism) : protocol;
    }

    private static Set<String> connectionNames() {
        Set<String> names = new HashSet<>(AdminClientConfig.configNames());
        names.retainAll(ProducerConfig.configNames());
        names.retainAll(ConsumerConfig.configNames());
        names.remove(CommonClientConfigs.CLIENT_ID_CONFIG);
        return Set.copyOf(names);
    }
}
