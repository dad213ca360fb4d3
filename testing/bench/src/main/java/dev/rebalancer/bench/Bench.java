package dev.rebalancer.bench;

import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.ConditionSubType;
import dev.rebalancer.contracts.ConditionType;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.PortfolioStatus;
import dev.rebalancer.contracts.Position;
import dev.rebalancer.contracts.PositionSnapshot;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.drift.config.DriftConfig;
import dev.rebalancer.drift.messaging.DriftStreams;
import dev.rebalancer.drift.messaging.DriftTopology;
import dev.rebalancer.testing.infra.KafkaBroker;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The benchmarks, on a real broker in this JVM, each against a baseline from the same run:
 * <ul>
 * <li>{@code drift-throughput}: position snapshots per second through the drift topology (exactly once, state store,
 * changelog) for 10,000 accounts × 8 weights, against a plain consumer reading the same topic.</li>
 * <li>{@code deposit-to-request}: p99 latency from a deposit event to its invest_cash request (read committed), against
 * a plain produce→consume round trip on the same broker.</li>
 * <li>{@code rebalance-20} and {@code rebalance-20-requests}: see {@link RebalanceBench}.</li>
 * <li>{@code deposit-to-first-buy}: see {@link DepositBench}.</li>
 * <li>{@code deposit-burst}: see {@link DepositBurstBench}.</li>
 * <li>{@code backtest}: see {@link BacktestBench}.</li>
 * </ul>
 * With {@code -Dbench.require-targets=true} a benchmark short of its target fails the run (CI runs the backtest's so).
 */
public final class Bench {

    static final int ACCOUNTS = 10_000;
    static final int ASSETS = 7;
    static final int RUNS = 3;
    /** Snapshots per measured run, in rounds over all accounts: long enough that the last commit is a small part. */
    static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    static final int SNAPSHOTS = ACCOUNTS * ROUNDS;
    static final int LATENCY_SAMPLES = 200;
    static final int LATENCY_WARMUP = 30;
    static final long COMMIT_INTERVAL_MS = Long.getLong("bench.commit-interval-ms", 100);

    private final String servers;
    private final KafkaProducer<String, String> producer;

    Bench(String servers) {
        this.servers = servers;
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024), new StringSerializer(), new StringSerializer());
    }

    public static void main(String[] args) {
        try {
            run(args);
            System.exit(0);
        } catch (Exception | AssertionError e) {
            // The broker's threads would keep the JVM alive after a failure.
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.INFO);
        java.util.logging.Logger.getLogger("org.apache.kafka").setLevel(java.util.logging.Level.WARNING);
        java.util.logging.Logger.getLogger("kafka").setLevel(java.util.logging.Level.WARNING);
        Set<String> wanted = args.length == 0 ? Set.of("drift-throughput", "deposit-to-request", "rebalance-20",
                "deposit-to-first-buy", "deposit-burst", "backtest") : Set.of(args);
        // Each benchmark on a broker of its own: the drift benchmark's 10,000 subscriptions become rebalance requests,
        // which must reach no executor of the others.
        List<BenchResult> results = new ArrayList<>();
        if (wanted.contains("drift-throughput") || wanted.contains("deposit-to-request")) {
            try (KafkaBroker.Isolated broker = KafkaBroker.Isolated.start()) {
                results.addAll(drift(broker.bootstrapServers(), wanted));
            }
        }
        if (wanted.contains("rebalance-20")) {
            try (KafkaBroker.Isolated broker = KafkaBroker.Isolated.start()) {
                results.addAll(RebalanceBench.run(broker.bootstrapServers()));
            }
        }
        if (wanted.contains("deposit-to-first-buy")) {
            // The local stack starts the JVM's shared broker, used by no other benchmark.
            results.addAll(DepositBench.run(new Bench(KafkaBroker.bootstrapServers())));
        }
        if (wanted.contains("deposit-burst")) {
            results.addAll(DepositBurstBench.run());
        }
        if (wanted.contains("backtest")) {
            results.addAll(BacktestBench.run());
        }
        Path out = Path.of("target", "bench");
        for (BenchResult result : results) {
            result.write(out);
        }
        results.forEach(r -> System.out.println(r.line()));
        if (Boolean.getBoolean("bench.require-targets")) {
            List<String> missed = results.stream().filter(r -> !r.meetsTarget()).map(BenchResult::line).toList();
            if (!missed.isEmpty()) {
                throw new AssertionError("benchmarks short of their target: " + missed);
            }
        }
    }

    private static List<BenchResult> drift(String servers, Set<String> wanted) throws Exception {
        Bench bench = new Bench(servers);
        List<BenchResult> results = new ArrayList<>();

        bench.produceTargets();
        List<Double> rawRates = new ArrayList<>();
        if (wanted.contains("drift-throughput")) {
            bench.rawConsumeRate(); // warm-up, not counted
            for (int run = 0; run < RUNS; run++) {
                rawRates.add(bench.rawConsumeRate());
            }
        }
        Path stateDir = Files.createTempDirectory("bench-drift-state");
        String applicationId = "bench-drift-" + UUID.randomUUID();
        try (KafkaStreams streams = new KafkaStreams(DriftTopology.build(DriftStreams.rules(config(stateDir, applicationId)),
                Duration.ofMinutes(1), DriftTopology.MarketDeadLetters.FAIL), DriftStreams.properties(config(stateDir, applicationId), Map.of("bootstrap.servers", servers)),
                dev.rebalancer.drift.messaging.CommitPacing.clients())) {
            streams.start();
            bench.awaitCaughtUp(applicationId, List.of(Topics.TARGETS, Topics.POSITIONS), Duration.ofMinutes(5));
            if (wanted.contains("drift-throughput")) {
                bench.produceSnapshots();
                bench.awaitCaughtUp(applicationId, List.of(Topics.POSITIONS), Duration.ofMinutes(5));
                List<Double> driftRates = new ArrayList<>();
                for (int run = 0; run < RUNS; run++) {
                    driftRates.add(bench.driftRate(applicationId));
                }
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("accounts", ACCOUNTS);
                params.put("weights", ASSETS + 1);
                params.put("snapshots_per_run", SNAPSHOTS);
                params.put("partitions", KafkaBroker.PARTITIONS);
                params.put("processing_guarantee", "exactly_once_v2");
                params.put("commit_interval_ms", COMMIT_INTERVAL_MS);
                params.put("stream_threads", Integer.getInteger("bench.stream-threads", 1));
                params.put("raw_runs", rawRates);
                results.add(new BenchResult("drift-throughput", "snapshots/s (higher is better)", median(driftRates),
                        "raw-consume-positions", median(rawRates), 0.5, true, false, params, driftRates));
            }
            if (wanted.contains("deposit-to-request")) {
                List<Double> raw = bench.rawRoundTrips();
                List<Double> drift = bench.depositToRequest();
                Map<String, Object> params = new LinkedHashMap<>();
                params.put("samples", LATENCY_SAMPLES);
                params.put("warmup", LATENCY_WARMUP);
                params.put("drift_p50_ms", percentile(drift, 50));
                params.put("raw_p50_ms", percentile(raw, 50));
                params.put("commit_interval_ms", COMMIT_INTERVAL_MS);
                params.put("isolation", "read_committed");
                results.add(new BenchResult("deposit-to-request", "p99 ms (lower is better)", percentile(drift, 99),
                        "raw-produce-consume-round-trip-p99", percentile(raw, 99), 3.0, false, false, params, drift));
            }
            streams.close(Duration.ofSeconds(30));
        }
        bench.producer.close();
        return results;
    }

    private static DriftConfig config(Path stateDir, String applicationId) {
        return new DriftConfig() {
            public BigDecimal minimumDeposit() {
                return BigDecimal.TEN;
            }

            public int reserveBasisPoints() {
                return 25;
            }

            public Duration tickInterval() {
                return Duration.ofMinutes(1);
            }

            public Duration unfinishedRunExpiry() {
                return Duration.ofHours(24);
            }

            public String applicationId() {
                return applicationId;
            }

            public String stateDir() {
                return stateDir.toString();
            }

            public Duration commitInterval() {
                return Duration.ofMillis(COMMIT_INTERVAL_MS);
            }

            public Duration clockOffset() {
                return Duration.ZERO;
            }

            public java.util.OptionalInt streamThreads() {
                return java.util.OptionalInt.of(Integer.getInteger("bench.stream-threads", 1));
            }

            public short replicationFactor() {
                return 1;
            }

            public int minInsyncReplicas() {
                return 1;
            }
        };
    }

    private static String account(int i) {
        return String.format("bench-account-%05d", i);
    }

    private void produceTargets() throws Exception {
        List<Weight> weights = new ArrayList<>();
        weights.add(Weight.cash("9"));
        for (int a = 0; a < ASSETS; a++) {
            weights.add(Weight.asset("A" + a, "13"));
        }
        RebalanceCondition band = new RebalanceCondition(ConditionType.DRIFT_BAND, ConditionSubType.ABSOLUTE,
                new BigDecimal("5"), null);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        Instant now = Instant.now();
        for (int i = 0; i < ACCOUNTS; i++) {
            sent.add(producer.send(new ProducerRecord<>(Topics.TARGETS, account(i), EventJson.write(new TargetAllocation(
                    "t-" + i, account(i), now, "sub-" + i, "portfolio", PortfolioStatus.ACTIVE, weights, List.of(band), 0,
                    null, now)))));
        }
        for (Future<RecordMetadata> ack : sent) {
            ack.get();
        }
    }

    /** {@link #ROUNDS} snapshots per account, every weight a little off its target but inside the band. */
    private void produceSnapshots() throws Exception {
        List<Future<RecordMetadata>> sent = new ArrayList<>(SNAPSHOTS);
        for (int n = 0; n < SNAPSHOTS; n++) {
            int i = n % ACCOUNTS;
            Instant now = Instant.now();
            List<Position> positions = new ArrayList<>();
            BigDecimal invested = BigDecimal.ZERO;
            for (int a = 0; a < ASSETS; a++) {
                BigDecimal value = new BigDecimal(1300 + ((i + a) % 7) * 10 - 30);
                positions.add(new Position("A" + a, BigDecimal.TEN, value.divide(BigDecimal.TEN), value));
                invested = invested.add(value);
            }
            BigDecimal cash = new BigDecimal("10000").subtract(invested);
            sent.add(producer.send(new ProducerRecord<>(Topics.POSITIONS, account(i), EventJson.write(new PositionSnapshot(
                    UUID.randomUUID().toString(), account(i), now, new BigDecimal("10000"), cash, cash, positions)))));
        }
        for (Future<RecordMetadata> ack : sent) {
            ack.get();
        }
    }

    /** Snapshots per second a plain consumer reads from the positions topic while they are produced. */
    private double rawConsumeRate() throws Exception {
        try (KafkaConsumer<String, String> consumer = consumer("read_uncommitted")) {
            List<TopicPartition> partitions = partitions(consumer, Topics.POSITIONS);
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            long started = System.nanoTime();
            produceSnapshots();
            int read = 0;
            while (read < SNAPSHOTS) {
                read += consumer.poll(Duration.ofMillis(50)).count();
            }
            return SNAPSHOTS / seconds(started);
        }
    }

    /** Snapshots per second the drift topology takes in while they are produced, until its committed lag is zero. */
    private double driftRate(String applicationId) throws Exception {
        long started = System.nanoTime();
        produceSnapshots();
        awaitCaughtUp(applicationId, List.of(Topics.POSITIONS), Duration.ofMinutes(5));
        return SNAPSHOTS / seconds(started);
    }

    private List<Double> depositToRequest() throws Exception {
        return roundTrips(Topics.REBALANCE_REQUESTS, "read_committed", i -> {
            String activity = "20261123093000000::" + UUID.randomUUID();
            producer.send(new ProducerRecord<>(Topics.CASH_DEPOSITS, account(i), EventJson.write(new CashDeposit(activity,
                    account(i), Instant.now(), "CSD", new BigDecimal("100"), "USD")))).get();
            return "deposit:" + activity;
        });
    }

    List<Double> rawRoundTrips() throws Exception {
        return rawRoundTrips("bench.round-trip");
    }

    /** Produce→consume round trips on a new topic of the system topics' partition count (after a warm-up). */
    List<Double> rawRoundTrips(String topic) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, KafkaBroker.PARTITIONS, (short) 1))).all().get();
        }
        return roundTrips(topic, "read_uncommitted", i -> {
            String value = UUID.randomUUID().toString();
            producer.send(new ProducerRecord<>(topic, account(i), value)).get();
            return value;
        });
    }

    /** Sends something and returns the text whose arrival on the topic ends the round trip. */
    private interface Send {
        String send(int i) throws Exception;
    }

    /** Milliseconds from each send until a record containing its answer is read from {@code topic}, after a warm-up. */
    private List<Double> roundTrips(String topic, String isolation, Send send) throws Exception {
        List<Double> samples = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = consumer(isolation)) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            for (int i = 0; i < LATENCY_WARMUP + LATENCY_SAMPLES; i++) {
                long started = System.nanoTime();
                String answer = send.send(i);
                boolean seen = false;
                while (!seen) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(1))) {
                        seen |= record.value().contains(answer);
                    }
                }
                if (i >= LATENCY_WARMUP) {
                    samples.add(seconds(started) * 1000);
                }
            }
        }
        return samples;
    }

    /** Waits until the application's committed offsets reach the end of the topics. */
    private void awaitCaughtUp(String groupId, List<String> topics, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        try (Admin admin = admin()) {
            while (System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                        .partitionsToOffsetAndMetadata().get();
                Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
                for (String topic : topics) {
                    for (int p = 0; p < KafkaBroker.PARTITIONS; p++) {
                        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
                    }
                }
                Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get();
                boolean caughtUp = ends.entrySet().stream().allMatch(end -> {
                    OffsetAndMetadata offset = committed.get(end.getKey());
                    return end.getValue().offset() == 0 || (offset != null && offset.offset() >= end.getValue().offset());
                });
                if (caughtUp) {
                    return;
                }
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("the drift topology did not catch up within " + limit);
    }

    private KafkaConsumer<String, String> consumer(String isolation) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 1), new StringDeserializer(), new StringDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, String> consumer, String topic) {
        return consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers));
    }

    private static double seconds(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1e9;
    }

    static double median(List<Double> values) {
        return percentile(values, 50);
    }

    static double percentile(List<Double> values, int percentile) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
    }
}
