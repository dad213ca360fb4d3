package dev.rebalancer.drift.messaging;

import dev.rebalancer.drift.config.DriftConfig;
import dev.rebalancer.rules.drift.AccountState;
import dev.rebalancer.rules.drift.CalendarSchedule;
import dev.rebalancer.rules.drift.DriftRules;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.jboss.logging.Logger;

/**
 * Runs the drift topology (the Kafka Streams library, started and closed with the application) with exactly-once
 * processing, so a restart or a moved partition neither loses state nor requests a run twice. It starts once the
 * input topics exist (the portfolio service creates them).
 */
@ApplicationScoped
public class DriftStreams {

    private static final Logger LOG = Logger.getLogger(DriftStreams.class);
    static final ZoneId MARKET_ZONE = ZoneId.of("America/New_York");

    private final DriftConfig config;
    private final dev.rebalancer.runtime.KafkaClients kafka;
    private volatile KafkaStreams streams;
    private volatile boolean stopping;
    private Thread starter;
    /** Partitions of each input topic (they share one count), read before the topology starts. */
    private volatile int inputPartitions = 1;
    /** The most stream threads an instance runs unless told otherwise. */
    public static final int MAX_DEFAULT_THREADS = 8;

    /** Counter: requests the rules sent, by {@code type} and {@code trigger}. */
    public static final String REQUESTS_PUBLISHED = "rebalancer.requests.published";
    /** Counter: drift-band breaches that asked for a rebalance (a breach inside a cooldown asks for none). */
    public static final String DRIFT_BREACHES = "rebalancer.drift.breaches";

    private final DriftTopology.Observer observer;
    /**
     * Writes the dead letter and alert of an unreadable market calendar; made before the streams start, because the
     * global thread may need it while {@code KafkaStreams.start()} waits for that thread under this bean's lock.
     */
    private volatile org.apache.kafka.clients.producer.Producer<String, String> deadLetterProducer;

    DriftStreams(DriftConfig config, dev.rebalancer.runtime.KafkaClients kafka, dev.rebalancer.runtime.Metrics metrics) {
        this.config = config;
        this.kafka = kafka;
        io.micrometer.core.instrument.MeterRegistry registry = metrics.registry();
        io.micrometer.core.instrument.Counter breaches = io.micrometer.core.instrument.Counter.builder(DRIFT_BREACHES)
                .description("Drift-band breaches that asked for a rebalance").register(registry);
        metrics.deadLetterTopics(DriftTopology.READS);
        this.observer = new DriftTopology.Observer() {
            @Override
            public void requested(dev.rebalancer.contracts.RebalanceRequest request, long inputTimestampMs) {
                if (dev.rebalancer.contracts.RebalanceRequest.depositOf(request.requestId()).isPresent()) {
                    // From the cash deposit event on Kafka (its record's timestamp) to its request.
                    metrics.depositStage("requested", java.time.Duration.ofMillis(System.currentTimeMillis()
                            - inputTimestampMs));
                }
                io.micrometer.core.instrument.Counter.builder(REQUESTS_PUBLISHED)
                        .description("Rebalance requests the drift rules sent, by type and trigger")
                        .tag("type", request.type().name().toLowerCase(java.util.Locale.ROOT))
                        .tag("trigger", request.trigger().name().toLowerCase(java.util.Locale.ROOT))
                        .register(registry).increment();
                if (request.trigger() == dev.rebalancer.contracts.Trigger.DRIFT_BAND) {
                    breaches.increment();
                }
            }

            @Override
            public void deadLettered(String topic) {
                metrics.deadLettered(topic);
            }
        };
    }

    public static DriftRules rules(DriftConfig config) {
        return new DriftRules(new DriftRules.Settings(config.minimumDeposit(), MARKET_ZONE,
                new CalendarSchedule(Set.of()), config.unfinishedRunExpiry(),
                config.reserveBasisPoints()));
    }

    /** The application's settings over {@code connection}: where Kafka is and how to reach it. */
    public static Properties properties(DriftConfig config, java.util.Map<String, Object> connection) {
        Properties props = new Properties();
        props.putAll(connection);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir());
        config.streamThreads().ifPresent(threads -> props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads));
        // The state stores' changelogs are the only copy of the drift state beyond this instance's disk.
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.replicationFactor());
        props.put(StreamsConfig.topicPrefix(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG), config.minInsyncReplicas());
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        // A transaction stays open until the next commit; Kafka Streams refuses to start when the commit interval is longer
        // than the transaction timeout (10 s by default), so the timeout grows with the interval.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                (int) Math.max(10_000, 2 * config.commitInterval().toMillis()));
        // A commit is considered only between polls: an idle poll of 100 ms (the default) would hold every request
        // back that long, since with exactly-once its consumers see it only once committed.
        props.put(StreamsConfig.POLL_MS_CONFIG, 10);
        props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        // The four inputs meet in one task; the rules need each topic's order per account, not timestamp order across
        // topics, so a record is processed as soon as it arrives rather than after the other inputs are fetched.
        props.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, StreamsConfig.MAX_TASK_IDLE_MS_DISABLED);
        // Kafka Streams lingers 100 ms before sending by default; a deposit's request should not wait for company.
        props.put(StreamsConfig.producerPrefix("linger.ms"), 5);
        return props;
    }

    void start(@Observes StartupEvent event) {
        starter = new Thread(this::startWhenTopicsExist, "drift-streams-start");
        starter.setDaemon(true);
        starter.start();
    }

    private void startWhenTopicsExist() {
        try (Admin admin = Admin.create(kafka.admin("topics-wait"))) {
            long waited = 0;
            while (!stopping) {
                try {
                    Set<String> existing = admin.listTopics().names().get();
                    if (existing.containsAll(DriftTopology.READS)) {
                        inputPartitions = admin.describeTopics(Set.of(dev.rebalancer.contracts.Topics.CASH_DEPOSITS))
                                .allTopicNames().get().get(dev.rebalancer.contracts.Topics.CASH_DEPOSITS).partitions().size();
                        break;
                    }
                    if (waited % 30_000 == 0) {
                        LOG.infof("waiting for the input topics %s (created by the portfolio service)", DriftTopology.READS);
                    }
                } catch (Exception e) {
                    LOG.debugf("Kafka not answering yet: %s", e.getMessage());
                }
                Thread.sleep(1000);
                waited += 1000;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (this) {
            if (!stopping) {
                streams = startStreams(false);
            }
        }
    }

    /** The settings with the stream threads set, when they are not: one per input partition, up to the maximum. */
    static Properties withThreads(Properties props, int partitions) {
        props.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Math.max(1, Math.min(partitions,
                MAX_DEFAULT_THREADS)));
        return props;
    }

    private KafkaStreams startStreams(boolean wipeLocalState) {
        if (deadLetterProducer == null) {
            deadLetterProducer = new org.apache.kafka.clients.producer.KafkaProducer<>(kafka.producer("dead-letters",
                    java.util.Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)),
                    new org.apache.kafka.common.serialization.StringSerializer(),
                    new org.apache.kafka.common.serialization.StringSerializer());
        }
        Properties props = withThreads(properties(config, kafka.streams(java.util.Map.of())), inputPartitions);
        KafkaStreams created = new KafkaStreams(DriftTopology.build(rules(config), config.tickInterval(),
                config.clockOffset(), observer, this::deadLetterMarket), props, CommitPacing.clients());
        if (wipeLocalState) {
            created.cleanUp();
        }
        created.setUncaughtExceptionHandler(e -> {
            LOG.error("drift topology failed; replacing the stream thread", e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
                    .REPLACE_THREAD;
        });
        created.start();
        LOG.infof("drift monitor streaming (%s, exactly once, %s stream threads)", config.applicationId(),
                props.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
        return created;
    }

    /**
     * Closes the topology, deletes this instance's local state, and starts again: the state is restored from the
     * changelog, as on a new machine or after a lost disk.
     */
    public synchronized void restartFromChangelog() {
        if (streams != null) {
            close(streams);
            streams = startStreams(true);
        }
    }

    /** Whether the topology is processing. */
    public boolean running() {
        KafkaStreams current = streams;
        return current != null && (current.state() == KafkaStreams.State.RUNNING
                || current.state() == KafkaStreams.State.REBALANCING);
    }

    public String state() {
        KafkaStreams current = streams;
        return current == null ? "WAITING_FOR_TOPICS" : current.state().name();
    }

    /** The account's state, if this instance holds it. */
    public Optional<AccountState> account(String accountId) {
        KafkaStreams current = streams;
        if (current == null) {
            return Optional.empty();
        }
        try {
            String state = store(current, DriftTopology.STORE).get(accountId);
            String snapshot = store(current, DriftTopology.POSITIONS_STORE).get(accountId);
            return state == null && snapshot == null ? Optional.empty()
                    : Optional.of(DriftTopology.state(state, snapshot));
        } catch (InvalidStateStoreException e) {
            return Optional.empty();
        }
    }

    private static ReadOnlyKeyValueStore<String, String> store(KafkaStreams streams, String name) {
        return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
    }

    synchronized void stop(@Observes ShutdownEvent event) {
        stopping = true;
        if (starter != null) {
            starter.interrupt();
        }
        if (streams != null) {
            close(streams);
        }
        if (deadLetterProducer != null) {
            deadLetterProducer.close(Duration.ofSeconds(10));
        }
    }

    /**
     * An unreadable message of a market topic (calendar, volatility), on its dead-letter topic and announced by an
     * alert (on the global thread, which may wait for the broker's acknowledgement: nothing else waits on it). If Kafka
     * will not take them, that is logged as an error: the global thread must go on.
     */
    private void deadLetterMarket(String topic, org.apache.kafka.streams.processor.api.Record<String, String> record,
            String why, String alertEventId) {
        dev.rebalancer.contracts.Alert alert = DriftTopology.deadLetterAlert(alertEventId, null, java.time.Instant.now(),
                topic, why);
        try {
            org.apache.kafka.clients.producer.Producer<String, String> producer = deadLetterProducer;
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                    dev.rebalancer.contracts.Topics.deadLetterOf(topic), record.key(), record.value()))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
            producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(dev.rebalancer.contracts.Topics.ALERTS,
                    record.key() == null ? "" : record.key(), dev.rebalancer.contracts.EventJson.write(alert)))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS);
            observer.deadLettered(topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.errorf("unreadable %s message not dead-lettered (interrupted): %s", topic, why);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.errorf("unreadable %s message not dead-lettered (%s): %s", topic, e, why);
        }
    }

    /** Leaves the group on the way out, so that the partitions move on at once instead of after a session timeout. */
    private static void close(KafkaStreams streams) {
        streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                .withTimeout(Duration.ofSeconds(30)));
    }
}
