package dev.rebalancer.executor.runs;

import dev.rebalancer.runtime.Transactions;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.AlpacaClientOptions;
import dev.rebalancer.alpaca.AlpacaEndpoint;
import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.alpaca.model.OrderRequest;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.Evidence;
import dev.rebalancer.contracts.InitiatedFrom;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.TopicProbe;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;

/** The executor's surroundings in tests: simulator accounts (one per test), requests in, run events out. */
final class Harness implements AutoCloseable {

    static final String SECRET = "exec-secret";

    final URI simulator;
    final SimAdminClient sim;
    final TopicProbe runs;
    final TopicProbe alerts;
    private final KafkaProducer<String, String> producer;
    private final Map<String, String> accountsByKey = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<String> faultedSymbols = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Harness(URI simulator, String bootstrap) {
        this.simulator = simulator;
        this.sim = new SimAdminClient(simulator);
        this.runs = new TopicProbe(bootstrap, Topics.RUNS);
        this.alerts = new TopicProbe(bootstrap, Topics.ALERTS);
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new StringSerializer());
        sim.asset("SPY", "500", true, true);
        sim.asset("TLT", "100", true, true);
        sim.asset("GLD", "200", true, true);
        sim.asset("BRKX", "400", false, true);
        sim.clock(true);
        sim.config(0, "0");
        sim.faults(0, 0.0, 200, false);
        sim.rateLimit(AlpacaClientOptions.ALPACA_REQUESTS_PER_MINUTE, 60_000);
        resume();
    }

    /** The event id of the last "not halted" this harness announced. */
    volatile String lastResume;

    /** Announces "not halted", as portfolio-service does (the executor holds every order until it hears a state). */
    void resume() {
        try {
            lastResume = UUID.randomUUID().toString();
            sendRaw(Topics.CONTROL, dev.rebalancer.contracts.TradingHalt.KEY, EventJson.write(
                    new dev.rebalancer.contracts.TradingHalt(lastResume, Instant.now(), false, null)));
        } catch (Exception e) {
            throw new IllegalStateException("the control topic refused a message", e);
        }
    }

    /**
     * Waits until the executor has applied the last "not halted" this harness announced: the control topic has one
     * partition, so nothing announced before it is still on its way.
     */
    void awaitResumeApplied(Db db) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> lastResume.equals(db.inTransaction(c ->
                Transactions.one(c, "SELECT event_id FROM trading_halt WHERE id = 1", row -> row.getString(1)).orElse(""))));
    }

    /** A new simulator account under one of the executor's configured keys. */
    String account(String key, String cash) {
        String id = sim.createAccount(key, SECRET, cash).get("id").asText();
        accountsByKey.put(key, id);
        return id;
    }

    /** Orders for the symbol are refused at the POST or end canceled or expired, until this harness closes. */
    void orderFault(String symbol, String fault, String message) {
        faultedSymbols.add(symbol);
        sim.orderFault(symbol, fault, message);
    }

    /** The lowest cash the account ever had at the simulator. */
    BigDecimal lowestCash(String account) {
        return new BigDecimal(sim.stats(account).get("lowest_cash").asText());
    }

    AlpacaClient client(String key) {
        return new AlpacaClient(new AlpacaEndpoint(simulator, key, SECRET), AlpacaClientOptions.defaults());
    }

    /** Buys a position directly at the simulator (fills at once with no latency configured). */
    void hold(String key, String symbol, String qty) {
        AlpacaClient client = client(key);
        Order order = client.submitOrder(OrderRequest.marketBuyQty(symbol, new BigDecimal(qty), null));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.order(order.id()).isTerminal());
    }

    /** Another program on the same keys, reading the clock every 10 ms for a while, heedless of the rate limit. */
    Neighbour noisyNeighbour(String key, Duration stormFor) {
        return new Neighbour(simulator.resolve("/v2/clock"), key, stormFor);
    }

    static final class Neighbour implements AutoCloseable {
        private final java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.ScheduledExecutorService timer =
                java.util.concurrent.Executors.newSingleThreadScheduledExecutor();

        Neighbour(URI clock, String key, Duration stormFor) {
            long until = System.nanoTime() + stormFor.toNanos();
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(clock)
                    .timeout(Duration.ofSeconds(5))
                    .header("APCA-API-KEY-ID", key).header("APCA-API-SECRET-KEY", SECRET).build();
            timer.scheduleWithFixedDelay(() -> {
                if (System.nanoTime() > until) {
                    return;
                }
                try {
                    if (http.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 429) {
                        refused.incrementAndGet();
                    }
                } catch (java.io.IOException | InterruptedException e) {
                    // The next tick tries again.
                }
            }, 0, 10, java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        /** The neighbour's own requests that were refused with 429. */
        long refused() {
            return refused.get();
        }

        @Override
        public void close() throws InterruptedException {
            timer.shutdownNow();
            timer.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    RebalanceRequest request(String account, RunType type, String amount, List<Weight> weights) {
        return request(account, type, amount, weights, List.of(), dev.rebalancer.contracts.Strategies.NONE);
    }

    /** A request of a portfolio with drift bands and opt-in strategies. */
    RebalanceRequest request(String account, RunType type, String amount, List<Weight> weights,
            List<dev.rebalancer.contracts.RebalanceCondition> bands, dev.rebalancer.contracts.Strategies strategies) {
        String requestId = "test:" + UUID.randomUUID();
        return new RebalanceRequest(UUID.randomUUID().toString(), account, Instant.now(), requestId,
                RebalanceRequest.runIdFor(requestId), type, amount == null ? null : new BigDecimal(amount),
                Trigger.MANUAL, new Evidence("a test", List.of()), "portfolio-1", weights, InitiatedFrom.API, bands,
                strategies);
    }

    void send(Object event, String account) throws Exception {
        producer.send(new ProducerRecord<>(Topics.REBALANCE_REQUESTS, account, EventJson.write(event))).get();
    }

    void sendRaw(String topic, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, key, value)).get();
    }

    /** Every event of the run so far, in order. */
    List<RunEvent> events(String runId) {
        return runs.records(r -> r.value().contains(runId)).stream()
                .map(r -> EventJson.read(r.value(), RunEvent.class)).filter(e -> e.runId().equals(runId)).toList();
    }

    RunEvent awaitFinal(String runId, Duration atMost) {
        Awaitility.await().atMost(atMost).until(() -> events(runId).stream().anyMatch(e -> e.status().isFinal()));
        return events(runId).stream().filter(e -> e.status().isFinal()).findFirst().orElseThrow();
    }

    RunEvent awaitStatus(String runId, RunStatus status) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> events(runId).stream()
                .anyMatch(e -> e.status() == status));
        return events(runId).stream().filter(e -> e.status() == status).findFirst().orElseThrow();
    }

    /**
     * The account's orders at the simulator, oldest first; asserts, from the simulator's own count of submissions,
     * that no order was sent twice: none refused as a duplicate client order id, none accepted twice.
     */
    List<Order> orders(String key) {
        List<Order> orders = client(key).orders("all", 500, "asc");
        String account = accountsByKey.computeIfAbsent(key, k -> client(k).account().id());
        assertThat(sim.submissions(account).orderedTwice()).as("orders sent twice").isEmpty();
        return orders;
    }

    @Override
    public void close() {
        faultedSymbols.forEach(symbol -> sim.orderFault(symbol, "none", null));
        sim.cancelLatency(0);
        sim.clock(true);
        sim.config(0, "0");
        sim.faults(0, 0.0, 200, false);
        sim.rateLimit(AlpacaClientOptions.ALPACA_REQUESTS_PER_MINUTE, 60_000);
        runs.close();
        alerts.close();
        producer.close();
    }
}
