package dev.rebalancer.drift.messaging;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.EventFormatException;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.MarketCalendar;
import dev.rebalancer.contracts.PositionSnapshot;
import dev.rebalancer.contracts.RebalanceDeferred;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.VolatilityReading;
import dev.rebalancer.rules.drift.AccountState;
import dev.rebalancer.rules.drift.DriftRules;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The drift monitor as a Kafka Streams topology: targets, positions, deposits and runs — co-partitioned by account —
 * meet in one processor that keeps each account's {@link AccountState} in a persistent store backed by a changelog,
 * applies {@link DriftRules}, and publishes rebalance requests. A wall-clock punctuator gives calendar conditions and
 * ended waits their turn. An unreadable message goes to its topic's dead-letter topic with an alert.
 */
public final class DriftTopology {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(DriftTopology.class);

    public static final String STORE = "drift-state";
    /** Each account's latest position snapshot, kept as the event came: writing it back costs nothing. */
    public static final String POSITIONS_STORE = "drift-positions";
    static final String PROCESSOR = "drift-rules";
    static final String REQUESTS_SINK = "rebalance-requests";
    static final String ALERTS_SINK = "alerts";
    static final String DEFERRALS_SINK = "deferrals";
    static final List<String> INPUTS = List.of(Topics.TARGETS, Topics.POSITIONS, Topics.CASH_DEPOSITS, Topics.RUNS);
    /** The market's calendar, as portfolio-service last published it: a global store, the same on every instance. */
    public static final String CALENDAR_STORE = "market-calendar";
    /** The market's volatility readings, one per source: a global store, the same on every instance. */
    public static final String VOLATILITY_STORE = "market-volatility";
    /** The topics every instance reads whole into a global store: what the market is, not what an account is. */
    static final List<String> MARKET = List.of(Topics.CALENDAR, Topics.VOLATILITY);
    /** Every topic the topology reads: Kafka Streams starts only once they all exist. */
    static final List<String> READS = Stream.concat(INPUTS.stream(), MARKET.stream()).toList();

    private DriftTopology() {
    }

    /** Told of what the topology sends, for metrics; called on a stream thread, must not block. */
    public interface Observer {
        /** A request sent; {@code inputTimestampMs} is the timestamp of the record (or tick) that caused it. */
        void requested(RebalanceRequest request, long inputTimestampMs);

        void deadLettered(String topic);

        Observer NONE = new Observer() {
            @Override
            public void requested(RebalanceRequest request, long inputTimestampMs) {
            }

            @Override
            public void deadLettered(String topic) {
            }
        };
    }

    /**
     * Where an unreadable message of a market topic (the calendar, volatility) goes: a global store's processor has no
     * sink to forward to, so the monitor writes the dead letter and its alert itself. Every instance reads the whole
     * topic, so each dead-letters the same record; the alert's event id is the same for all (the notifier tells it
     * once).
     */
    public interface MarketDeadLetters {
        void deadLetter(String topic, Record<String, String> record, String why, String alertEventId);

        /** For a topology with nowhere to dead-letter to (a benchmark's): an unreadable message fails it, loudly. */
        MarketDeadLetters FAIL = (topic, record, why, alertEventId) -> {
            throw new IllegalStateException("unreadable " + topic + " message: " + why);
        };
    }

    public static Topology build(DriftRules rules, Duration tickEvery, MarketDeadLetters calendarDeadLetters) {
        return build(rules, tickEvery, Duration.ZERO, Observer.NONE, calendarDeadLetters);
    }

    /**
     * With the monitor's idea of now moved by {@code clockOffset} (see {@code DriftConfig#clockOffset}), telling
     * {@code observer} of each request and dead letter.
     */
    public static Topology build(DriftRules rules, Duration tickEvery, Duration clockOffset, Observer observer,
            MarketDeadLetters marketDeadLetters) {
        Topology topology = new Topology();
        for (String topic : INPUTS) {
            topology.addSource(topic, new StringDeserializer(), new StringDeserializer(), topic);
        }
        topology.addProcessor(PROCESSOR, () -> new RulesProcessor(rules, tickEvery, clockOffset, observer),
                INPUTS.toArray(String[]::new));
        // The record cache batches writes to RocksDB and the changelog per commit instead of per record.
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                Serdes.String()).withCachingEnabled(), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(POSITIONS_STORE),
                Serdes.String(), Serdes.String()).withCachingDisabled(), PROCESSOR);
        topology.addSink(REQUESTS_SINK, Topics.REBALANCE_REQUESTS, new StringSerializer(), new StringSerializer(),
                PROCESSOR);
        topology.addSink(ALERTS_SINK, Topics.ALERTS, new StringSerializer(), new StringSerializer(), PROCESSOR);
        topology.addSink(DEFERRALS_SINK, Topics.DEFERRALS, new StringSerializer(), new StringSerializer(), PROCESSOR);
        addMarket(topology, Topics.CALENDAR, CALENDAR_STORE, "calendar",
                json -> rules.calendar().learn(EventJson.read(json, MarketCalendar.class)), marketDeadLetters);
        addMarket(topology, Topics.VOLATILITY, VOLATILITY_STORE, "volatility",
                json -> rules.volatility().learn(EventJson.read(json, VolatilityReading.class)), marketDeadLetters);
        for (String topic : INPUTS) {
            topology.addSink(deadLetterSink(topic), Topics.deadLetterOf(topic), new StringSerializer(),
                    new StringSerializer(), PROCESSOR);
        }
        return topology;
    }

    /** A market topic read whole into a global store (not logged: the topic is its log), each record learnt. */
    private static void addMarket(Topology topology, String topic, String store, String name,
            java.util.function.Consumer<String> learn, MarketDeadLetters deadLetters) {
        topology.addGlobalStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(store), Serdes.String(),
                Serdes.String()).withLoggingDisabled(), name + "-source", new StringDeserializer(),
                new StringDeserializer(), topic, name + "-learner",
                () -> new MarketLearner(topic, store, learn, deadLetters));
    }

    /** Reads an account's state as the two stores keep it. */
    public static AccountState state(String stateJson, String snapshotJson) {
        AccountState state = stateJson == null ? AccountState.empty() : EventJson.read(stateJson, AccountState.class);
        return snapshotJson == null ? state : state.withSnapshot(EventJson.read(snapshotJson, PositionSnapshot.class));
    }

    /** The processor that applies the rules to every input, one per task. */
    static Processor<String, String, String, String> rulesProcessor(DriftRules rules, Duration tickEvery,
            Duration clockOffset) {
        return new RulesProcessor(rules, tickEvery, clockOffset, Observer.NONE);
    }

    /**
     * Keeps a market topic (the calendar, volatility readings) in its global store and teaches it to the rules: each
     * record published, and at start each one the store holds. Since Kafka 3.8 (KAFKA-7663) the global thread's
     * start-up runs the records past the store's checkpoint through this processor too, inside
     * {@code KafkaStreams.start()}. One that cannot be read is dead-lettered with an alert — again by each instance
     * that reads it again, under the same alert id — and what was known before stays.
     */
    private static final class MarketLearner implements Processor<String, String, Void, Void> {

        private final String topic;
        private final String storeName;
        private final java.util.function.Consumer<String> learn;
        private final MarketDeadLetters deadLetters;
        private ProcessorContext<Void, Void> context;
        private KeyValueStore<String, String> store;

        MarketLearner(String topic, String storeName, java.util.function.Consumer<String> learn,
                MarketDeadLetters deadLetters) {
            this.topic = topic;
            this.storeName = storeName;
            this.learn = learn;
            this.deadLetters = deadLetters;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.context = context;
            store = context.getStateStore(storeName);
            try (KeyValueIterator<String, String> stored = store.all()) {
                stored.forEachRemaining(entry -> {
                    try {
                        learn.accept(entry.value);
                    } catch (EventFormatException e) {
                        LOG.warnf("the stored %s message %s cannot be read: %s", topic, entry.key, e.getMessage());
                    }
                });
            }
        }

        @Override
        public void process(Record<String, String> record) {
            if (record.value() == null || record.key() == null) {
                return;
            }
            try {
                learn.accept(record.value());
                store.put(record.key(), record.value());
            } catch (EventFormatException e) {
                String where = context.recordMetadata().map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                        .orElse(topic + "@" + record.timestamp());
                LOG.warnf("unreadable %s message (%s) dead-lettering, what was known before stays: %s", topic, where,
                        e.getMessage());
                deadLetters.deadLetter(topic, record, e.getMessage(), java.util.UUID.nameUUIDFromBytes(
                        ("dead-letter:" + where).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
            }
        }
    }

    /** The alert that tells of a message of {@code topic} dead-lettered, the monitor's one wording for all. */
    static Alert deadLetterAlert(String eventId, String accountId, Instant at, String topic, String why) {
        return new Alert(eventId, accountId, at, Severity.WARNING, "Unreadable " + topic + " message dead-lettered", why,
                null, "drift-monitor");
    }

    /** The alert that tells the owner of a deferral; its event id follows the deferral's, so it is told once. */
    static Alert deferralAlert(RebalanceDeferred deferred) {
        return new Alert(java.util.UUID.nameUUIDFromBytes(("alert:" + deferred.eventId())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString(), deferred.accountId(),
                deferred.occurredAt(), Severity.INFO, "Rebalance deferred: volatility is high", deferred.explain()
                        + ". A manual run is not held back.", null, "drift-monitor");
    }

    private static String deadLetterSink(String topic) {
        return "dead-letter-" + topic;
    }

    private static final class RulesProcessor implements Processor<String, String, String, String> {

        /**
         * Accounts whose parsed state is kept beside the store; this processor alone writes their keys. It is the
         * stores' state, so it lives no longer than they do: under exactly-once, a task whose transaction aborted is
         * initialized again over stores rolled back to the last commit, and a state remembered from the aborted
         * transaction (a deposit "already seen") would lose what the replay must produce again.
         */
        private static final int PARSED_STATES = 50_000;

        private final DriftRules rules;
        private final Map<String, AccountState> parsed = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, AccountState> eldest) {
                return size() > PARSED_STATES;
            }
        };
        private final Duration tickEvery;
        private final Duration clockOffset;
        private ProcessorContext<String, String> context;
        private KeyValueStore<String, String> store;
        private KeyValueStore<String, String> positions;

        private final Observer observer;

        RulesProcessor(DriftRules rules, Duration tickEvery, Duration clockOffset, Observer observer) {
            this.observer = observer;
            this.rules = rules;
            this.tickEvery = tickEvery;
            this.clockOffset = clockOffset;
        }

        @Override
        public void init(ProcessorContext<String, String> context) {
            parsed.clear();
            this.context = context;
            this.store = context.getStateStore(STORE);
            this.positions = context.getStateStore(POSITIONS_STORE);
            context.schedule(tickEvery, PunctuationType.WALL_CLOCK_TIME, this::tick);
            // Requests waiting for a commit (see CommitPacing) ask for it once the pause has passed.
            context.schedule(CommitPacing.APART.dividedBy(4), PunctuationType.WALL_CLOCK_TIME, now -> {
                if (CommitPacing.ofThisThread().due()) {
                    context.commit();
                }
            });
        }

        @Override
        public void process(Record<String, String> record) {
            String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
            String account = record.key();
            if (account == null || account.isEmpty()) {
                deadLetter(topic, record, "a message without an account key");
                return;
            }
            if (record.value() == null && !Topics.TARGETS.equals(topic)) {
                return;
            }
            AccountState state = load(account);
            Instant now = Instant.ofEpochMilli(context.currentSystemTimeMs()).plus(clockOffset);
            DriftRules.Outcome outcome;
            String snapshotJson = null;
            try {
                outcome = switch (topic) {
                    case Topics.TARGETS -> rules.onTarget(state,
                            record.value() == null ? null : EventJson.read(record.value(), TargetAllocation.class), now);
                    case Topics.POSITIONS -> {
                        snapshotJson = record.value();
                        yield rules.onSnapshot(state, EventJson.read(snapshotJson, PositionSnapshot.class), now);
                    }
                    case Topics.CASH_DEPOSITS -> rules.onDeposit(state, EventJson.read(record.value(), CashDeposit.class), now);
                    case Topics.RUNS -> rules.onRun(state, EventJson.read(record.value(), RunEvent.class), now);
                    default -> throw new IllegalStateException("not an input topic: " + topic);
                };
            } catch (EventFormatException e) {
                deadLetter(topic, record, e.getMessage());
                return;
            }
            apply(account, state, outcome, record.timestamp(), snapshotJson);
        }

        private void tick(long wallClockMs) {
            Instant now = Instant.ofEpochMilli(wallClockMs).plus(clockOffset);
            List<KeyValue<String, String>> accounts = new java.util.ArrayList<>();
            try (KeyValueIterator<String, String> all = store.all()) {
                all.forEachRemaining(accounts::add);
            }
            for (KeyValue<String, String> entry : accounts) {
                AccountState state = parsed.computeIfAbsent(entry.key, key -> state(entry.value, positions.get(key)));
                apply(entry.key, state, rules.onTick(state, now), wallClockMs, null);
            }
        }

        private AccountState load(String account) {
            AccountState state = parsed.get(account);
            if (state == null) {
                state = state(store.get(account), positions.get(account));
                parsed.put(account, state);
            }
            return state;
        }

        /** Writes what changed: the snapshot (as it came, when it came from a record) and the rest of the state. */
        private void apply(String account, AccountState before, DriftRules.Outcome outcome, long timestamp,
                String snapshotJson) {
            AccountState after = outcome.state();
            if (after.snapshot() != before.snapshot()) {
                positions.put(account, snapshotJson != null ? snapshotJson : EventJson.write(after.snapshot()));
            }
            if (!after.withSnapshot(before.snapshot()).equals(before)) {
                store.put(account, EventJson.write(after));
            }
            parsed.put(account, after);
            for (RebalanceRequest request : outcome.requests()) {
                context.forward(new Record<>(account, EventJson.write(request), timestamp), REQUESTS_SINK);
                observer.requested(request, timestamp);
            }
            for (RebalanceDeferred deferred : outcome.deferrals()) {
                context.forward(new Record<>(account, EventJson.write(deferred), timestamp), DEFERRALS_SINK);
                context.forward(new Record<>(account, EventJson.write(deferralAlert(deferred)), timestamp),
                        ALERTS_SINK);
            }
            if (!outcome.requests().isEmpty() && CommitPacing.ofThisThread().requestsMade()) {
                context.commit();
            }
        }

        private void deadLetter(String topic, Record<String, String> record, String why) {
            context.forward(record, deadLetterSink(topic));
            observer.deadLettered(topic);
            Alert alert = deadLetterAlert(UUID.randomUUID().toString(), record.key(),
                    Instant.ofEpochMilli(context.currentSystemTimeMs()), topic, why);
            context.forward(new Record<>(record.key() == null ? "" : record.key(), EventJson.write(alert),
                    record.timestamp()), ALERTS_SINK);
        }
    }
}
