package dev.rebalancer.bench;

import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.AlpacaClientOptions;
import dev.rebalancer.alpaca.AlpacaEndpoint;
import dev.rebalancer.alpaca.TradeUpdatesStream;
import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.alpaca.model.OrderRequest;
import dev.rebalancer.alpaca.model.TradeUpdate;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.Evidence;
import dev.rebalancer.contracts.InitiatedFrom;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.TradingHalt;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.sim.AlpacaSimServer;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.PostgresServer;
import dev.rebalancer.testing.infra.ServiceProcess;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * {@code rebalance-20}: a full rebalance of 20 symbols by the order executor, running as a process of its own against
 * the simulator with a fill latency of 500 ms, from the request on Kafka to the final run event. Baseline, in the same
 * run: the very same orders placed one at a time, each awaited until filled before the next, as the common tutorials
 * do, on a second account holding the same positions. Also counts the Trading API requests the executor
 * spends per run, at the simulator.
 */
final class RebalanceBench {

    static final int SYMBOLS = 20;
    static final long FILL_LATENCY_MS = 500;
    static final int RUNS = Integer.getInteger("bench.rebalance-runs", 3);
    static final String SECRET = "bench-secret";

    private final String servers;
    private final SimAdminClient sim;
    private final AlpacaSimServer simulator;
    private final String executorAccount;
    private final AlpacaClient sequential;
    private final Set<String> filled = new HashSet<>();

    private RebalanceBench(String servers, AlpacaSimServer simulator) {
        this.servers = servers;
        this.simulator = simulator;
        this.sim = simulator.admin();
        sim.clock(true);
        sim.config(0, "0");
        for (int i = 0; i < SYMBOLS; i++) {
            sim.asset(symbol(i), Integer.toString(40 + 10 * i), true, true);
        }
        this.executorAccount = sim.createAccount("bench-executor", SECRET, "100000").get("id").asText();
        sim.createAccount("bench-sequential", SECRET, "100000");
        this.sequential = client("bench-sequential");
        // Both accounts hold the same: $4,750 of each symbol, $5,000 cash.
        for (String key : List.of("bench-executor", "bench-sequential")) {
            AlpacaClient client = client(key);
            for (int i = 0; i < SYMBOLS; i++) {
                awaitFilled(client, client.submitOrder(OrderRequest.marketBuyNotional(symbol(i), new BigDecimal("4750"),
                        null)));
            }
        }
        sim.config(FILL_LATENCY_MS, "0");
    }

    /** The second account's stream, connected before anything is measured. */
    private TradeUpdatesStream listen() {
        CountDownLatch connected = new CountDownLatch(1);
        TradeUpdatesStream stream = sequential.tradeUpdates(new TradeUpdatesStream.Listener() {
            public void onUpdate(TradeUpdate update) {
                RebalanceBench.this.onUpdate(update);
            }

            public void onConnected() {
                connected.countDown();
            }
        });
        try {
            if (!connected.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the simulator's trade_updates stream did not connect");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return stream;
    }

    static List<BenchResult> run(String servers) throws Exception {
        try (AlpacaSimServer simulator = AlpacaSimServer.start(0)) {
            RebalanceBench bench = new RebalanceBench(servers, simulator);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("KAFKA_BOOTSTRAP_SERVERS", servers);
            env.put("DB_URL", PostgresServer.jdbcUrl("bench_executor"));
            env.put("DB_USERNAME", PostgresServer.USERNAME);
            env.put("DB_PASSWORD", PostgresServer.PASSWORD);
            env.put("ALPACA_API_KEY_ID", "bench-executor");
            env.put("ALPACA_API_SECRET_KEY", SECRET);
            env.put("ALPACA_BASE_URL", simulator.baseUrl().toString());
            // No portfolio-service here: the bench announces "not halted" once, which must not go stale.
            env.put("CONTROL_ANNOUNCE_INTERVAL", "1h");
            // Nor any polling on the key: the executor may use nearly all of it (198 of 200 a minute).
            env.put("ALPACA_PORTFOLIO_SHARE", "0.01");
            try (ServiceProcess executor = ServiceProcess.start("order-executor", 0, env, Map.of(),
                    Duration.ofSeconds(90)); TradeUpdatesStream stream = bench.listen()) {
                return bench.measure(executor);
            }
        }
    }

    private List<BenchResult> measure(ServiceProcess executor) throws Exception {
        List<Double> executorMs = new ArrayList<>();
        List<Double> sequentialMs = new ArrayList<>();
        List<Long> requests = new ArrayList<>();
        List<Double> sequentialRequests = new ArrayList<>();
        List<Integer> orderCounts = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers), new StringSerializer(), new StringSerializer());
                KafkaConsumer<String, String> runs = new KafkaConsumer<>(Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                        ConsumerConfig.GROUP_ID_CONFIG, "bench-" + UUID.randomUUID(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = runs.partitionsFor(Topics.RUNS).stream()
                    .map(p -> new TopicPartition(Topics.RUNS, p.partition())).toList();
            runs.assign(partitions);
            runs.seekToEnd(partitions);
            partitions.forEach(runs::position);
            // The executor holds every order until it hears the halt switch's state, as portfolio-service announces it.
            producer.send(new ProducerRecord<>(Topics.CONTROL, TradingHalt.KEY, EventJson.write(new TradingHalt(
                    UUID.randomUUID().toString(), Instant.now(), false, null)))).get();
            // Run 0 warms up (JIT, the executor's asset cache, connections) and is not counted. The targets alternate,
            // so every run sells ten symbols and buys the other ten.
            for (int run = 0; run <= RUNS; run++) {
                long requestsBefore = sim.stats(executorAccount).get("requests").asLong();
                RebalanceRequest request = request(run % 2 == 0);
                long started = System.nanoTime();
                producer.send(new ProducerRecord<>(Topics.REBALANCE_REQUESTS, executorAccount, EventJson.write(request)))
                        .get();
                RunEvent done = awaitFinal(runs, request.runId());
                double wallMs = (System.nanoTime() - started) / 1e6;
                if (done.status() != RunStatus.COMPLETED_SUCCESS) {
                    throw new IllegalStateException("run " + run + " ended " + done.status() + ": " + done.reason()
                            + "; failed " + done.failedOrders() + "; skipped " + done.skippedOrders() + "\n"
                            + executor.tail());
                }
                long spent = sim.stats(executorAccount).get("requests").asLong() - requestsBefore;
                long sequentialBefore = sequential.requestsSent();
                double oneAtATimeMs = oneAtATime(done.orders());
                if (run > 0) {
                    executorMs.add(wallMs);
                    requests.add(spent);
                    orderCounts.add(done.orders().size());
                    sequentialMs.add(oneAtATimeMs);
                    sequentialRequests.add((double) (sequential.requestsSent() - sequentialBefore));
                }
                System.out.printf("rebalance-20 run %d: %d orders, executor %.0f ms with %d requests, one at a time "
                        + "%.0f ms%n", run, done.orders().size(), wallMs, spent, oneAtATimeMs);
            }
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("symbols", SYMBOLS);
        params.put("fill_latency_ms", FILL_LATENCY_MS);
        params.put("orders_per_run", orderCounts);
        params.put("executor", "a process of its own with PostgreSQL and Kafka; from the request sent on Kafka to the "
                + "final run event read (read committed)");
        params.put("one_at_a_time", "the run's orders on a second account, sells first, each awaited on the "
                + "trade_updates stream until filled");
        Map<String, Object> wallParams = new LinkedHashMap<>(params);
        wallParams.put("one_at_a_time_runs_ms", sequentialMs);
        Map<String, Object> requestParams = new LinkedHashMap<>(params);
        requestParams.put("one_at_a_time_requests_per_run", sequentialRequests);
        double mostOrders = orderCounts.stream().mapToInt(Integer::intValue).max().orElseThrow();
        return List.of(
                new BenchResult("rebalance-20", "wall ms (lower is better)", Bench.median(executorMs),
                        "one-order-at-a-time-awaited-ms", Bench.median(sequentialMs), 2 * FILL_LATENCY_MS + 1000,
                        false, true, wallParams, executorMs),
                new BenchResult("rebalance-20-requests", "Alpaca requests per run (lower is better)",
                        requests.stream().mapToLong(Long::longValue).max().orElseThrow(),
                        "one-order-at-a-time-requests", Bench.median(sequentialRequests), mostOrders + 5, false, true,
                        requestParams, requests.stream().map(Long::doubleValue).toList()));
    }

    /**
     * The run's orders again, on the second account: sells first, each sent and awaited before the next. Fills are
     * awaited on the {@code trade_updates} stream, so the baseline pays for ordering one at a time, not for polling.
     */
    private double oneAtATime(List<RunOrder> orders) throws InterruptedException {
        long started = System.nanoTime();
        for (OrderSide side : List.of(OrderSide.SELL, OrderSide.BUY)) {
            for (RunOrder order : orders) {
                if (order.side() != side) {
                    continue;
                }
                OrderRequest request = side == OrderSide.SELL
                        ? OrderRequest.marketSellQty(order.symbol(), order.qty(), null)
                        : OrderRequest.marketBuyNotional(order.symbol(), order.notional(), null);
                awaitFill(sequential.submitOrder(request).id());
            }
        }
        return (System.nanoTime() - started) / 1e6;
    }

    private void awaitFill(String orderId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        synchronized (filled) {
            while (!filled.contains(orderId)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("order " + orderId + " not filled within 30 s");
                }
                filled.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Fills on the second account's stream. */
    private void onUpdate(TradeUpdate update) {
        if (update.kind() == TradeUpdate.Kind.FILL) {
            synchronized (filled) {
                filled.add(update.order().id());
                filled.notifyAll();
            }
        }
    }

    /** Setting up holdings: polls, at no latency. */
    private static void awaitFilled(AlpacaClient client, Order order) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Order current = order;
        while (!current.isTerminal()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("order " + order.id() + " not filled within 30 s");
            }
            current = client.order(order.id());
        }
        if (!"filled".equals(current.status())) {
            throw new IllegalStateException("order " + order.id() + " ended " + current.status());
        }
    }

    private RunEvent awaitFinal(KafkaConsumer<String, String> runs, String runId) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : runs.poll(Duration.ofMillis(5))) {
                if (record.value().contains(runId)) {
                    RunEvent event = EventJson.read(record.value(), RunEvent.class);
                    if (event.runId().equals(runId) && event.status().isFinal()) {
                        return event;
                    }
                }
            }
        }
        throw new IllegalStateException("run " + runId + " did not finish within 60 s");
    }

    /** Ten symbols at 6.5 % and ten at 3 %, or the other way round; 5 % cash. */
    private RebalanceRequest request(boolean firstHalfHeavy) {
        List<Weight> weights = new ArrayList<>();
        weights.add(Weight.cash("5"));
        for (int i = 0; i < SYMBOLS; i++) {
            weights.add(Weight.asset(symbol(i), (i < SYMBOLS / 2) == firstHalfHeavy ? "6.5" : "3"));
        }
        String requestId = "bench:" + UUID.randomUUID();
        return new RebalanceRequest(UUID.randomUUID().toString(), executorAccount, Instant.now(), requestId,
                RebalanceRequest.runIdFor(requestId), RunType.FULL_REBALANCE, null, Trigger.MANUAL,
                new Evidence("benchmark", List.of()), "bench-portfolio", weights, InitiatedFrom.API);
    }

    private AlpacaClient client(String key) {
        return new AlpacaClient(new AlpacaEndpoint(simulator.baseUrl(), key, SECRET), AlpacaClientOptions.defaults());
    }

    private static String symbol(int i) {
        return String.format("S%02d", i);
    }
}
