package dev.rebalancer.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.local.Http;
import dev.rebalancer.local.LocalStack;
import dev.rebalancer.local.Tail;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * {@code deposit-burst}: payday. N accounts run as the local stack runs them (all four services as processes, the
 * simulator in this JVM at its default 100 ms fill latency, deposits polled every 0.5 s), each subscribed; then one
 * deposit into every account at the same moment, and each deposit's journey timed by stage, from the clocks that saw
 * it:
 * <ol>
 * <li>{@code seen}: Alpaca's activity time (the simulator's {@code created_at}) → the poller recorded it
 * ({@code seen_activity.seen_at} in portfolio-service's database);</li>
 * <li>{@code published}: → the cash deposit event on Kafka (its record timestamp, set when the relay sent it);</li>
 * <li>{@code requested}: → the drift monitor's {@code invest_cash} request ({@code occurred_at});</li>
 * <li>{@code queued}: → the executor queued the run (its first run event's {@code created_at});</li>
 * <li>{@code first_buy}: → the simulator accepted the run's first buy ({@code submitted_at}).</li>
 * </ol>
 * Reported per stage and end to end as p50/p99, for each N (default 50 and 200; {@code -Dbench.burst.sizes=1000} for
 * more) against the single-account figure of the same run: 20 deposits one at a time on the N = 50 stack. With N =
 * 1,000 the CPU time of the services per account-poll is reported too, so a server can be sized.
 */
final class DepositBurstBench {

    static final List<Integer> SIZES = sizes(System.getProperty("bench.burst.sizes", "50,200"));
    static final int SINGLES = 20;
    static final int ROUNDS = Integer.getInteger("bench.burst.rounds", 3);
    static final double TARGET_P99_MS = 2000;
    static final double SINGLE_TARGET_P99_MS = 600;
    static final String POLLS = "rebalancer_deposit_polls_total";
    static final Duration IDLE = Duration.ofSeconds(5);
    static final int IDLE_WINDOWS = 4;
    static final List<String> STAGES = List.of("seen", "published", "requested", "queued", "first_buy");

    private DepositBurstBench() {
    }

    static List<BenchResult> run() throws Exception {
        List<BenchResult> results = new ArrayList<>();
        Map<String, Object> single = null;
        for (int n : SIZES) {
            Map<String, String> env = new HashMap<>(LocalStack.Settings.anyFreePorts());
            env.put("REBALANCER_LOCAL_DIR", Path.of("target/bench-burst-" + n).toAbsolutePath().toString());
            env.put("NOTIFY_RUNS", "problems");
            // The periodic position sync (every account once a minute) left out, so that the idle figure is polling
            // alone and no sync round falls into a burst by chance; a run's end still syncs its account.
            env.put("POSITIONS_INTERVAL", "1h");
            for (int a = 0; a < n; a++) {
                env.put("REBALANCER_ACCOUNTS__BURST" + a + "__API_KEY_ID", key(n, a));
            }
            System.out.printf("[bench] deposit-burst: starting the local stack with %d accounts%n", n);
            try (LocalStack stack = LocalStack.start(new LocalStack.Settings(env));
                    KafkaConsumer<String, String> consumer = Tail.fromNow(stack.bootstrapServers(),
                            Topics.CASH_DEPOSITS, Topics.REBALANCE_REQUESTS, Topics.RUNS);
                    Connection portfolioDb = DriverManager.getConnection(PostgresServer.jdbcUrl("portfolio"),
                            PostgresServer.USERNAME, PostgresServer.PASSWORD)) {
                SimAdminClient sim = stack.simulator();
                Http api = Http.api(stack.service("portfolio-service").baseUrl(), stack.settings().apiKey(),
                        stack.settings().apiSecret());
                List<String> accounts = new ArrayList<>();
                Map<String, String> keys = new HashMap<>();
                for (int a = 0; a < n; a++) {
                    accounts.add(stack.simAccount(key(n, a)));
                    keys.put(accounts.get(a), key(n, a));
                    api.subscribe(accounts.get(a), DepositBench.PORTFOLIO.formatted(accounts.get(a)));
                }
                Journeys journeys = new Journeys(consumer);
                DepositBench.awaitSubscriptionRuns(consumer, accounts, Duration.ofSeconds(60 + n));
                System.out.printf("[bench] deposit-burst: %d accounts subscribed and invested%n", n);

                if (single == null) {
                    List<Journey> one = new ArrayList<>();
                    for (int i = 0; i < SINGLES; i++) {
                        Journey journey = journeys.deposit(sim, accounts.get(i % n));
                        journeys.awaitRuns(List.of(journey), Duration.ofSeconds(60));
                        one.add(journey);
                    }
                    complete(one, stack, keys, portfolioDb);
                    single = table(one);
                    single.put("deposits", SINGLES);
                    print("single account", single);
                    results.add(new BenchResult("deposit-burst-single", "p99 ms deposit → first buy, one account at "
                            + "a time (lower is better)", p99(single), "raw-produce-consume-round-trip-p99",
                            rawRoundTrip(stack), SINGLE_TARGET_P99_MS, false, true, single, totals(one)));
                }

                // Idle: the services' CPU time while they only poll, per account-poll (what sizes a server). The
                // quietest of a few windows: what the previous phase left behind (its runs' events, compilation)
                // passes, polling does not.
                double idleCpu = 0;
                double idlePolls = 0;
                double idleWall = 0;
                for (int window = 0; window < IDLE_WINDOWS; window++) {
                    double cpuBefore = cpuMillis(stack);
                    double pollsBefore = metric(stack, "portfolio-service", POLLS);
                    Instant idleSince = Instant.now();
                    Thread.sleep(IDLE.toMillis());
                    double cpu = cpuMillis(stack) - cpuBefore;
                    double wall = millis(idleSince, Instant.now());
                    if (window == 0 || cpu / wall < idleCpu / idleWall) {
                        idleCpu = cpu;
                        idleWall = wall;
                        idlePolls = metric(stack, "portfolio-service", POLLS) - pollsBefore;
                    }
                }

                // Payday meets services that have been running: the first burst after start also pays for compiling
                // the code it runs (on 2 cores the JIT competes with the work: ~20 % more CPU than the bursts after
                // it), so the figure is that of the last of several bursts (-Dbench.burst.rounds, default 3), and
                // every burst's end-to-end figure and CPU are reported beside it.
                List<Map<String, Object>> rounds = new ArrayList<>();
                Burst burst = null;
                for (int round = 1; round <= ROUNDS; round++) {
                    burst = burst(stack, sim, journeys, accounts, keys, portfolioDb);
                    Map<String, Object> table = burst.table();
                    rounds.add(Map.of("round", round, "end_to_end_p50_ms", table.get("end_to_end_p50_ms"),
                            "end_to_end_p99_ms", table.get("end_to_end_p99_ms"),
                            "burst_services_cpu_ms", table.get("burst_services_cpu_ms")));
                    print(n + " accounts at once, burst " + round + " of " + ROUNDS, table);
                }
                Map<String, Object> table = burst.table();
                table.put("accounts", n);
                table.put("bursts", rounds);
                table.put("single_account", single);
                table.put("idle_wall_ms", idleWall);
                table.put("idle_services_cpu_ms", idleCpu);
                table.put("idle_account_polls", idlePolls);
                table.put("idle_services_cpu_ms_per_account_poll", idlePolls == 0 ? null : idleCpu / idlePolls);
                table.put("idle_services_cores", idleCpu / idleWall);
                results.add(new BenchResult("deposit-burst-" + n, "p99 ms deposit → first buy, " + n
                        + " accounts at once (lower is better)", p99(table), "single-account-p99", p99(single),
                        TARGET_P99_MS, false, true, table, totals(burst.journeys())));
            }
        }
        return results;
    }

    /** A burst's journeys and its table. */
    private record Burst(List<Journey> journeys, Map<String, Object> table) {
    }

    /** One deposit into every account at once, awaited until every run has ended. */
    private static Burst burst(LocalStack stack, SimAdminClient sim, Journeys journeys, List<String> accounts,
            Map<String, String> keys, Connection portfolioDb) throws Exception {
        double cpuBefore = cpuMillis(stack);
        double pollsBefore = metric(stack, "portfolio-service", POLLS);
        Map<String, JsonNode> statsBefore = simStats(sim, accounts);
        Map<String, Long> commitsBefore = databaseCommits(portfolioDb);
        Instant burstSince = Instant.now();
        List<Journey> burst = journeys.depositAll(sim, accounts);
        journeys.awaitRuns(burst, Duration.ofSeconds(120));
        complete(burst, stack, keys, portfolioDb);
        Map<String, Object> table = table(burst);
        table.put("deposits_spread_ms", millis(burst.stream().map(Journey::depositedAt).min(Instant::compareTo)
                .orElseThrow(), burst.stream().map(Journey::depositedAt).max(Instant::compareTo).orElseThrow()));
        table.put("burst_wall_ms", millis(burstSince, Instant.now()));
        // Alpaca's limit, at the simulator, which enforces it per key (200 a minute) and counts its 429s.
        Map<String, JsonNode> statsAfter = simStats(sim, accounts);
        table.put("busiest_key_requests_in_burst", accounts.stream().mapToLong(a -> statsAfter.get(a)
                .get("requests").asLong() - statsBefore.get(a).get("requests").asLong()).max().orElse(0));
        long rateLimited = sum(statsAfter, "rate_limited");
        table.put("alpaca_429s_in_burst", rateLimited - sum(statsBefore, "rate_limited"));
        table.put("alpaca_429s", rateLimited);
        table.put("burst_services_cpu_ms", cpuMillis(stack) - cpuBefore);
        // Each service's database transactions per deposit: PostgreSQL shares the cores with everything else.
        Map<String, Long> commitsAfter = databaseCommits(portfolioDb);
        Map<String, Double> commitsPerDeposit = new java.util.TreeMap<>();
        commitsAfter.forEach((database, commits) -> commitsPerDeposit.put(database,
                (commits - commitsBefore.getOrDefault(database, 0L)) / (double) burst.size()));
        table.put("database_commits_per_deposit", commitsPerDeposit);
        table.put("burst_account_polls", metric(stack, "portfolio-service", POLLS) - pollsBefore);
        return new Burst(burst, table);
    }

    /** Transactions committed so far, by database (PostgreSQL's own count). */
    private static Map<String, Long> databaseCommits(Connection any) throws Exception {
        Map<String, Long> commits = new java.util.HashMap<>();
        try (PreparedStatement statement = any.prepareStatement("SELECT datname, xact_commit FROM pg_stat_database"
                + " WHERE datname IN ('portfolio', 'executor', 'notifier')"); ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                commits.put(rows.getString(1), rows.getLong(2));
            }
        }
        return commits;
    }

    /** A counter of the simulator's per-account statistics, summed over the accounts. */
    private static long sum(Map<String, JsonNode> stats, String counter) {
        return stats.values().stream().mapToLong(s -> s.get(counter).asLong()).sum();
    }

    /** One deposit and the times it reached each stage (milliseconds since the epoch, 0 while not yet). */
    static final class Journey {
        final String account;
        final String activityId;
        final Instant depositedAt;
        Instant seen;
        Instant published;
        Instant requested;
        Instant queued;
        Instant firstBuy;
        String runId;
        RunEvent finished;

        Journey(String account, String activityId, Instant depositedAt) {
            this.account = account;
            this.activityId = activityId;
            this.depositedAt = depositedAt;
        }

        Instant depositedAt() {
            return depositedAt;
        }

        List<Instant> stages() {
            return List.of(seen, published, requested, queued, firstBuy);
        }
    }

    /** What the consumer reads, matched to the deposits it belongs to. */
    static final class Journeys {
        private final KafkaConsumer<String, String> consumer;
        private final Map<String, Journey> byRequest = new ConcurrentHashMap<>();
        private final Map<String, Journey> byRun = new ConcurrentHashMap<>();

        Journeys(KafkaConsumer<String, String> consumer) {
            this.consumer = consumer;
        }

        Journey deposit(SimAdminClient sim, String account) {
            JsonNode activity = sim.deposit(account, "100");
            Journey journey = new Journey(account, activity.get("id").asText(),
                    Instant.parse(activity.get("created_at").asText()));
            byRequest.put(RebalanceRequest.depositRequestId(journey.activityId), journey);
            return journey;
        }

        /** A deposit into every account at once: as many callers as accounts, up to 64, released together. */
        List<Journey> depositAll(SimAdminClient sim, List<String> accounts) throws Exception {
            ExecutorService callers = Executors.newFixedThreadPool(Math.min(64, accounts.size()));
            try {
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                List<Future<Journey>> calls = new ArrayList<>();
                for (String account : accounts) {
                    calls.add(callers.submit(() -> {
                        go.await();
                        return deposit(sim, account);
                    }));
                }
                go.countDown();
                List<Journey> journeys = new ArrayList<>();
                for (Future<Journey> call : calls) {
                    journeys.add(call.get());
                }
                return journeys;
            } finally {
                callers.shutdownNow();
            }
        }

        /** Reads deposits, requests and runs until the runs of all these deposits have ended. */
        void awaitRuns(List<Journey> journeys, Duration within) {
            long deadline = System.nanoTime() + within.toNanos();
            while (journeys.stream().anyMatch(j -> j.finished == null)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(journeys.stream().filter(j -> j.finished == null).count()
                            + " of " + journeys.size() + " deposits not invested within " + within);
                }
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(20))) {
                    if (record.value() != null) {
                        read(record);
                    }
                }
            }
        }

        private void read(ConsumerRecord<String, String> record) {
            switch (record.topic()) {
                case Topics.CASH_DEPOSITS -> {
                    CashDeposit deposit = EventJson.read(record.value(), CashDeposit.class);
                    Journey journey = byRequest.get(RebalanceRequest.depositRequestId(deposit.eventId()));
                    if (journey != null && journey.published == null) {
                        journey.published = Instant.ofEpochMilli(record.timestamp());
                    }
                }
                case Topics.REBALANCE_REQUESTS -> {
                    RebalanceRequest request = EventJson.read(record.value(), RebalanceRequest.class);
                    Journey journey = byRequest.get(request.requestId());
                    if (journey != null && journey.requested == null) {
                        journey.requested = request.occurredAt();
                        journey.runId = request.runId();
                        byRun.put(request.runId(), journey);
                    }
                }
                case Topics.RUNS -> {
                    RunEvent run = EventJson.read(record.value(), RunEvent.class);
                    Journey journey = byRequest.get(run.requestId());
                    if (journey == null) {
                        return;
                    }
                    if (journey.queued == null || run.createdAt().isBefore(journey.queued)) {
                        journey.queued = run.createdAt();
                    }
                    if (run.status().isFinal()) {
                        if (!run.status().name().startsWith("COMPLETED")) {
                            throw new IllegalStateException("run " + run.runId() + " of deposit " + journey.activityId
                                    + " ended " + run.status() + ": " + run.reason());
                        }
                        journey.runId = run.runId();
                        journey.finished = run;
                    }
                }
                default -> {
                }
            }
        }
    }

    /** The stages only the services' own records hold: when the poller saw each deposit, when the first buy went in. */
    private static void complete(List<Journey> journeys, LocalStack stack, Map<String, String> keys,
            Connection portfolioDb) throws Exception {
        try (PreparedStatement seen = portfolioDb.prepareStatement(
                "SELECT seen_at FROM seen_activity WHERE activity_id = ?")) {
            for (Journey journey : journeys) {
                seen.setString(1, journey.activityId);
                try (ResultSet row = seen.executeQuery()) {
                    if (!row.next()) {
                        throw new IllegalStateException("deposit " + journey.activityId + " was never recorded");
                    }
                    journey.seen = row.getTimestamp(1).toInstant();
                }
            }
        }
        Map<String, List<Journey>> byAccount = new LinkedHashMap<>();
        journeys.forEach(j -> byAccount.computeIfAbsent(j.account, a -> new ArrayList<>()).add(j));
        for (Map.Entry<String, List<Journey>> account : byAccount.entrySet()) {
            List<JsonNode> orders = DepositBench.patiently(stack.alpaca(keys.get(account.getKey()))::orders);
            for (Journey journey : account.getValue()) {
                for (JsonNode order : orders) {
                    if (order.path("client_order_id").asText().startsWith("rb-" + journey.runId)
                            && order.path("side").asText().equals("buy")) {
                        Instant at = Instant.parse(order.get("submitted_at").asText());
                        journey.firstBuy = journey.firstBuy == null || at.isBefore(journey.firstBuy) ? at
                                : journey.firstBuy;
                    }
                }
                if (journey.firstBuy == null) {
                    throw new IllegalStateException("the run of deposit " + journey.activityId + " has no buy");
                }
            }
        }
    }

    /** p50 and p99 of each stage (from the one before) and end to end, in ms. */
    private static Map<String, Object> table(List<Journey> journeys) {
        Map<String, Object> table = new LinkedHashMap<>();
        for (int s = 0; s < STAGES.size(); s++) {
            List<Double> stage = new ArrayList<>();
            for (Journey journey : journeys) {
                Instant from = s == 0 ? journey.depositedAt : journey.stages().get(s - 1);
                stage.add(millis(from, journey.stages().get(s)));
            }
            table.put(STAGES.get(s) + "_p50_ms", Bench.percentile(stage, 50));
            table.put(STAGES.get(s) + "_p99_ms", Bench.percentile(stage, 99));
        }
        List<Double> total = totals(journeys);
        table.put("end_to_end_p50_ms", Bench.percentile(total, 50));
        table.put("end_to_end_p99_ms", Bench.percentile(total, 99));
        return table;
    }

    private static List<Double> totals(List<Journey> journeys) {
        return journeys.stream().map(j -> millis(j.depositedAt, j.firstBuy)).toList();
    }

    private static double p99(Map<String, Object> table) {
        return (Double) table.get("end_to_end_p99_ms");
    }

    private static double rawRoundTrip(LocalStack stack) throws Exception {
        return Bench.percentile(new Bench(stack.bootstrapServers()).rawRoundTrips("bench.round-trip-burst"), 99);
    }

    private static void print(String what, Map<String, Object> table) {
        StringBuilder line = new StringBuilder("[bench] deposit-burst, " + what + " (ms p50/p99):");
        for (String stage : STAGES) {
            line.append(String.format(Locale.ROOT, " %s %.0f/%.0f", stage, table.get(stage + "_p50_ms"),
                    table.get(stage + "_p99_ms")));
        }
        line.append(String.format(Locale.ROOT, " | end to end %.0f/%.0f", table.get("end_to_end_p50_ms"),
                table.get("end_to_end_p99_ms")));
        if (table.containsKey("burst_services_cpu_ms")) {
            line.append(String.format(Locale.ROOT, " | services' CPU %.0f ms, %d 429s, database commits per deposit %s",
                    table.get("burst_services_cpu_ms"), table.get("alpaca_429s_in_burst"),
                    table.get("database_commits_per_deposit")));
        }
        System.out.println(line);
    }

    /** Each account's statistics at the simulator so far (its key's requests, its 429s). */
    private static Map<String, JsonNode> simStats(SimAdminClient sim, List<String> accounts) {
        Map<String, JsonNode> stats = new HashMap<>();
        accounts.forEach(account -> stats.put(account, sim.stats(account)));
        return stats;
    }

    /** CPU time the four services' processes have used so far. */
    private static double cpuMillis(LocalStack stack) {
        double total = 0;
        for (String service : LocalStack.SERVICES) {
            total += ProcessHandle.of(stack.service(service).pid()).flatMap(p -> p.info().totalCpuDuration())
                    .map(d -> d.toNanos() / 1e6).orElseThrow(() -> new IllegalStateException(
                            "the CPU time of " + service + " cannot be read on this machine"));
        }
        return total;
    }

    /** A metric's value on a service's {@code /q/metrics}, summed over its labels. */
    private static double metric(LocalStack stack, String service, String name) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(stack.service(service).managementUrl().resolve("/q/metrics"))
                        .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        double sum = 0;
        boolean found = false;
        for (String line : response.body().split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        if (!found) {
            throw new IllegalStateException(service + " has no metric " + name);
        }
        return sum;
    }

    private static double millis(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    /**
     * The key of account {@code account} of the stack of {@code n}: keys (and so the simulator's account ids, derived
     * from them) differ from stack to stack, since the broker and its topics' history outlive a stack.
     */
    private static String key(int n, int account) {
        return "burst-" + n + "-" + account;
    }

    private static List<Integer> sizes(String list) {
        return java.util.Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(Integer::valueOf).toList();
    }
}
