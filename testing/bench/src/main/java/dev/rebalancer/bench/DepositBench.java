package dev.rebalancer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.local.Http;
import dev.rebalancer.local.LocalStack;
import dev.rebalancer.local.Tail;
import dev.rebalancer.sim.SimAdminClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * {@code deposit-to-first-buy}: on the local stack (all four services as processes of their own, the simulator at its
 * default 100 ms fill latency), the time from a deposit at the simulator until the simulator accepted the first buy
 * of the {@code invest_cash} run it caused — by the simulator's own clock for the buy — p50 and p99 over 100
 * deposits, one at a time, spread over twenty accounts so that each stays within Alpaca's 200 requests a minute. The
 * baseline is a raw produce→consume round trip on the same broker in the same run.
 */
final class DepositBench {

    static final int DEPOSITS = Integer.getInteger("bench.deposits", 100);
    static final int WARMUP = 10;
    static final int ACCOUNTS = 20;
    static final double TARGET_P99_MS = 1000;

    private DepositBench() {
    }

    static List<BenchResult> run(Bench kafka) throws Exception {
        Map<String, String> env = new HashMap<>(LocalStack.Settings.anyFreePorts());
        env.put("REBALANCER_LOCAL_DIR", Path.of("target/bench-stack").toAbsolutePath().toString());
        env.put("NOTIFY_RUNS", "problems");
        String interval = System.getProperty("bench.deposits-interval");
        if (interval != null) {
            env.put("DEPOSITS_INTERVAL", interval);
        }
        for (int a = 0; a < ACCOUNTS; a++) {
            env.put("REBALANCER_ACCOUNTS__B" + a + "__API_KEY_ID", key(a));
        }
        List<Double> latencies = new ArrayList<>();
        List<Double> detections = new ArrayList<>();
        try (LocalStack stack = LocalStack.start(new LocalStack.Settings(env));
                KafkaConsumer<String, String> consumer = Tail.fromNow(stack.bootstrapServers(), Topics.CASH_DEPOSITS,
                        Topics.RUNS)) {
            SimAdminClient sim = stack.simulator();
            Http api = Http.api(stack.service("portfolio-service").baseUrl(), stack.settings().apiKey(),
                    stack.settings().apiSecret());
            List<String> accounts = new ArrayList<>();
            for (int a = 0; a < ACCOUNTS; a++) {
                accounts.add(stack.simAccount(key(a)));
                api.subscribe(accounts.get(a), PORTFOLIO.formatted(accounts.get(a)));
            }
            awaitSubscriptionRuns(consumer, accounts, Duration.ofSeconds(120));
            for (int i = 0; i < WARMUP + DEPOSITS; i++) {
                int a = i % ACCOUNTS;
                Instant depositedAt = Instant.now();
                String activity = sim.deposit(accounts.get(a), "100").get("id").asText();
                Measured measured = await(consumer, accounts.get(a), RunType.INVEST_CASH, "deposit:" + activity);
                Instant firstBuy = firstBuy(stack.alpaca(key(a)), measured.run().runId());
                if (i >= WARMUP) {
                    latencies.add(Duration.between(depositedAt, firstBuy).toNanos() / 1e6);
                    detections.add(Duration.between(depositedAt, measured.depositSeenAt()).toNanos() / 1e6);
                }
            }
            System.out.printf("[bench] deposit-to-first-buy: %d deposits measured%n", latencies.size());
            String depositsInterval = stack.settings().env().getOrDefault("DEPOSITS_INTERVAL", "0.5s (local stack)");
            List<Double> raw = kafka.rawRoundTrips("bench.round-trip-stack");
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("deposits", DEPOSITS);
            params.put("warmup", WARMUP);
            params.put("accounts", ACCOUNTS);
            params.put("deposits_interval", depositsInterval);
            params.put("fill_latency_ms", 100);
            params.put("p50_ms", Bench.percentile(latencies, 50));
            params.put("raw_p50_ms", Bench.percentile(raw, 50));
            params.put("deposit_seen_on_kafka_p50_ms", Bench.percentile(detections, 50));
            params.put("deposit_seen_on_kafka_p99_ms", Bench.percentile(detections, 99));
            return List.of(new BenchResult("deposit-to-first-buy", "p99 ms (lower is better)",
                    Bench.percentile(latencies, 99), "raw-produce-consume-round-trip-p99", Bench.percentile(raw, 99),
                    TARGET_P99_MS, false, true, params, latencies));
        }
    }

    static final String PORTFOLIO = """
            {"name":"bench %s","weights":[{"type":"cash","percent":"5"},
             {"type":"asset","symbol":"SPY","percent":"60"},{"type":"asset","symbol":"TLT","percent":"35"}],
             "cooldown_days":7,"rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"}]}""";

    static String key(int account) {
        return "bench-" + account;
    }

    record Measured(RunEvent run, Instant depositSeenAt) {
    }

    /** Reads runs until every account's first full rebalance (its subscription's) has completed. */
    static void awaitSubscriptionRuns(KafkaConsumer<String, String> consumer, List<String> accounts,
            Duration within) {
        java.util.Set<String> waiting = new java.util.HashSet<>(accounts);
        long deadline = System.nanoTime() + within.toNanos();
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
                if (record.topic().equals(Topics.RUNS) && record.value() != null) {
                    RunEvent run = EventJson.read(record.value(), RunEvent.class);
                    if (run.type() == RunType.FULL_REBALANCE && run.status().isFinal()) {
                        waiting.remove(run.accountId());
                    }
                }
            }
        }
        if (!waiting.isEmpty()) {
            throw new IllegalStateException(waiting.size() + " subscription runs not ended within " + within + ": "
                    + waiting);
        }
    }

    /** Reads deposits and runs until the run the deposit requested ends. */
    private static Measured await(KafkaConsumer<String, String> consumer, String account, RunType type,
            String requestId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Instant seen = null;
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(20))) {
                if (record.value() == null) {
                    continue;
                }
                if (record.topic().equals(Topics.CASH_DEPOSITS)) {
                    CashDeposit deposit = EventJson.read(record.value(), CashDeposit.class);
                    if (requestId.equals("deposit:" + deposit.eventId())) {
                        seen = Instant.ofEpochMilli(record.timestamp());
                    }
                    continue;
                }
                RunEvent run = EventJson.read(record.value(), RunEvent.class);
                if (run.accountId().equals(account) && run.type() == type && run.status().isFinal()
                        && requestId.equals(run.requestId())) {
                    if (!run.status().name().startsWith("COMPLETED")) {
                        throw new IllegalStateException("run " + run.runId() + " ended " + run.status() + ": "
                                + run.reason());
                    }
                    return new Measured(run, seen);
                }
            }
        }
        throw new IllegalStateException("no " + type + " run for " + account + " within 120 s");
    }

    /** When the simulator accepted the run's first buy ({@code submitted_at}, the simulator's clock). */
    private static Instant firstBuy(Http alpaca, String runId) throws InterruptedException {
        Instant first = null;
        for (JsonNode order : patiently(alpaca::orders)) {
            if (order.path("client_order_id").asText().startsWith("rb-" + runId) && order.path("side").asText()
                    .equals("buy")) {
                Instant at = Instant.parse(order.get("submitted_at").asText());
                first = first == null || at.isBefore(first) ? at : first;
            }
        }
        if (first == null) {
            throw new IllegalStateException("run " + runId + " has no buy at the simulator");
        }
        return first;
    }

    /** Waits out a 429 (the account's budget is the services'; the timestamps read are the simulator's). */
    static <T> T patiently(java.util.function.Supplier<T> call) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (IllegalStateException e) {
                if (!e.getMessage().contains(" answered 429") || attempt == 30) {
                    throw e;
                }
                Thread.sleep(1000);
            }
        }
    }
}
