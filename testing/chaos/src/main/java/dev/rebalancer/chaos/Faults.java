package dev.rebalancer.chaos;

import dev.rebalancer.contracts.Topics;
import dev.rebalancer.local.LocalStack;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.FakeBotApi;
import dev.rebalancer.testing.infra.KafkaProcess;
import dev.rebalancer.testing.infra.PostgresProcess;
import dev.rebalancer.testing.infra.ServiceProcess;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The faults of the soak on a schedule drawn from one seed: every 4 to 8 s the next kind of a shuffled round of all
 * of them begins (a new round, shuffled anew, when one is through), so every kind strikes within a round of about a
 * minute and a half, and faults overlap: several are in effect at once. Each lasting fault is healed when its time is
 * up; kills, restarts and poison messages are instant. Telegram drops a tenth of its answers throughout. Every fault
 * is counted by kind; {@link #healAll()} ends whatever is still in effect.
 */
final class Faults {

    enum Kind {
        KILL_SERVICE, KAFKA_RESTART, POSTGRES_RESTART, SIM_RATE_LIMIT, SIM_SERVER_ERRORS, SIM_SLOW_ACCOUNT,
        SIM_TIMEOUTS, STREAM_DROPPED, STREAM_SILENT, ORDERS_REFUSED, ORDERS_CANCELED, PARTIAL_FILLS, DELAYED_CANCELS,
        TELEGRAM_OUTAGE, POISON
    }

    /** Alpaca's own limit, restored when a 429 storm ends. */
    private static final int REQUESTS_PER_MINUTE = 200;
    /** Longer than the services' Alpaca timeout: the request's answer is lost, whatever Alpaca did with it. */
    private static final long TIMEOUT_LATENCY_MS = 15_000;

    private final LocalStack stack;
    private final Map<String, List<ServiceProcess>> instances;
    /** The soak's directory: a restarted drift monitor's state directory is there. */
    private final Path dir;
    private final KafkaProcess kafka;
    private final PostgresProcess postgres;
    private final FakeBotApi telegram;
    private final SimAdminClient sim;
    private final List<String> accounts;
    private final Random random;
    private final Report.Log log;
    final Map<Kind, Integer> counts = new TreeMap<>();
    /** Poison messages written, by topic: the only records allowed in dead-letter topics. */
    final Map<String, List<String>> poisons = new LinkedHashMap<>();
    private Instant nextAt;
    /** The faults in effect, by kind: when each is healed, and how. */
    private final Map<Kind, Instant> healAt = new java.util.EnumMap<>(Kind.class);
    private final Map<Kind, Runnable> heals = new java.util.EnumMap<>(Kind.class);
    /**
     * Further instances being started again, by service and slot: on a thread of their own, as a supervisor would, so
     * that a start waiting on a broker that is down never holds back the fault that brings the broker back.
     */
    private final Map<String, java.util.concurrent.Future<?>> restarts = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ExecutorService restarter = java.util.concurrent.Executors.newCachedThreadPool(
            r -> {
                Thread thread = new Thread(r, "chaos-restarter");
                thread.setDaemon(true);
                return thread;
            });
    /** What is left of the current round. */
    private final java.util.Deque<Kind> round = new java.util.ArrayDeque<>();

    Faults(LocalStack stack, Map<String, List<ServiceProcess>> instances, Path dir, KafkaProcess kafka,
            PostgresProcess postgres, FakeBotApi telegram, List<String> accounts, long seed, Report.Log log) {
        this.stack = stack;
        this.instances = instances;
        this.dir = dir;
        this.kafka = kafka;
        this.postgres = postgres;
        this.telegram = telegram;
        this.sim = stack.simulator();
        this.accounts = accounts;
        this.random = new Random(seed ^ 0x5DEECE66DL);
        this.log = log;
        telegram.dropAnswers(0.1);
    }

    /** One second of the schedule: heals the faults whose time is up, begins the next when it is due. */
    void step(Instant now) {
        if (nextAt == null) {
            nextAt = now.plusSeconds(5);
        }
        for (Kind kind : List.copyOf(heals.keySet())) {
            if (!now.isBefore(healAt.get(kind))) {
                heal(kind);
            }
        }
        if (!now.isBefore(nextAt)) {
            if (round.isEmpty()) {
                List<Kind> kinds = new ArrayList<>(List.of(Kind.values()));
                java.util.Collections.shuffle(kinds, random);
                round.addAll(kinds);
            }
            Kind kind = round.poll();
            if (!heals.containsKey(kind)) { // one of a kind at a time
                begin(kind, now);
            }
            nextAt = now.plusSeconds(4 + random.nextInt(5));
        }
    }

    private void begin(Kind kind, Instant now) {
        counts.merge(kind, 1, Integer::sum);
        switch (kind) {
            case KILL_SERVICE -> killService();
            case KAFKA_RESTART -> {
                boolean crash = random.nextBoolean();
                log.say("fault: Kafka %s", crash ? "killed" : "stopped");
                if (crash) {
                    kafka.kill();
                } else {
                    kafka.stop();
                }
                lasting(kind, now, 3 + random.nextInt(8), "Kafka started again", kafka::start);
            }
            case POSTGRES_RESTART -> {
                boolean crash = random.nextBoolean();
                log.say("fault: PostgreSQL %s", crash ? "killed" : "stopped");
                if (crash) {
                    postgres.kill();
                } else {
                    postgres.stop();
                }
                lasting(kind, now, 3 + random.nextInt(8), "PostgreSQL started again", postgres::start);
            }
            case SIM_RATE_LIMIT -> {
                log.say("fault: Alpaca answers 429 beyond 15 requests per 5 s");
                sim.rateLimit(15, 5_000);
                lasting(kind, now, 20, "Alpaca's rate limit back to normal", () -> sim.rateLimit(REQUESTS_PER_MINUTE, 60_000));
            }
            case SIM_SERVER_ERRORS -> {
                log.say("fault: Alpaca answers 5xx to 20 %% of requests");
                sim.faults(null, 0.2, null, null);
                lasting(kind, now, 30, "Alpaca's 5xx over", () -> sim.faults(null, 0.0, null, null));
            }
            case SIM_SLOW_ACCOUNT -> {
                String account = account();
                log.say("fault: Alpaca slow (2 s) for account %s", account);
                sim.latency(account, 2_000);
                lasting(kind, now, 45, "account " + account + " fast again", () -> sim.latency(account, 0));
            }
            case SIM_TIMEOUTS -> {
                String account = account();
                log.say("fault: Alpaca's answers to account %s lost (%d ms, past every timeout)", account,
                        TIMEOUT_LATENCY_MS);
                sim.latency(account, TIMEOUT_LATENCY_MS);
                lasting(kind, now, 30, "account " + account + " answered again", () -> sim.latency(account, 0));
            }
            case STREAM_DROPPED -> {
                log.say("fault: trade_updates streams dropped");
                sim.faults(null, null, null, true);
                lasting(kind, now, 20, "trade_updates streams allowed again", () -> sim.faults(null, null, null, false));
            }
            case STREAM_SILENT -> {
                log.say("fault: trade_updates streams silent");
                sim.silentStream(true);
                lasting(kind, now, 20, "trade_updates streams answer again", () -> sim.silentStream(false));
            }
            case ORDERS_REFUSED -> {
                log.say("fault: the next 2 orders refused");
                sim.faults(2, null, null, null);
            }
            case ORDERS_CANCELED -> {
                String symbol = symbol();
                log.say("fault: orders for %s end canceled", symbol);
                sim.orderFault(symbol, "cancel", null);
                lasting(kind, now, 20, "orders for " + symbol + " fill again", () -> sim.orderFault(symbol, "none", null));
            }
            case PARTIAL_FILLS -> {
                log.say("fault: orders fill partially first");
                sim.config(100, "0.4");
                lasting(kind, now, 30, "orders fill at once again", () -> sim.config(100, "0"));
            }
            case DELAYED_CANCELS -> {
                log.say("fault: cancels take 3 s");
                sim.cancelLatency(3_000);
                lasting(kind, now, 40, "cancels at once again", () -> sim.cancelLatency(0));
            }
            case TELEGRAM_OUTAGE -> {
                log.say("fault: Telegram down for 60 s");
                telegram.outageUntil(now.plusSeconds(60));
            }
            case POISON -> poison();
        }
    }

    private void killService() {
        List<String> services = new ArrayList<>(instances.keySet());
        String service = services.get(random.nextInt(services.size()));
        List<ServiceProcess> running = instances.get(service);
        int drawn = random.nextInt(running.size());
        // One still coming back is down already: the first instance is struck instead.
        int which = restarts.containsKey(service + "/" + drawn) ? 0 : drawn;
        ServiceProcess victim = which == 0 ? stack.service(service) : running.get(which);
        log.say("fault: %s instance %d killed (SIGKILL)", service, which + 1);
        victim.kill();
        if (which > 0) {
            // The first instance is started again by the stack's supervisor; a further one by the soak, at once.
            String slot = service + "/" + which;
            synchronized (restarts) {
                restarts.put(slot, restarter.submit(() -> {
                    try {
                        restart(service, which, running);
                    } finally {
                        synchronized (restarts) {
                            restarts.remove(slot);
                        }
                    }
                }));
            }
        }
    }

    /**
     * Starts a further instance again until it is ready, as a supervisor would: a start that is not ready in time
     * (Kafka away longer than the wait) is tried again, five times at most.
     */
    private void restart(String service, int which, List<ServiceProcess> running) {
        for (int attempt = 1; attempt <= 5; attempt++) {
            try {
                running.set(which, stack.startInstance(service, Chaos.instanceEnv(dir, service, which + 1)));
                log.say("%s instance %d started again", service, which + 1);
                return;
            } catch (RuntimeException e) {
                String why = String.valueOf(e.getMessage());
                log.say("%s instance %d not ready, starting it again: %s", service, which + 1,
                        why.lines().findFirst().orElse(why));
            }
        }
    }

    /** A message no consumer can read, on a topic not yet poisoned (each topic once). */
    private void poison() {
        List<String> topics = Topics.ALL.stream().filter(topic -> !poisons.containsKey(topic)).toList();
        if (topics.isEmpty()) {
            return;
        }
        String topic = topics.get(random.nextInt(topics.size()));
        String value = "{\"chaos_poison\": \"" + topic + "\", unreadable";
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, accounts.get(0), value)).get(2, TimeUnit.MINUTES);
            poisons.computeIfAbsent(topic, t -> new ArrayList<>()).add(value);
            log.say("fault: poison message on %s", topic);
        } catch (Exception e) {
            log.say("fault: poison message on %s not written: %s", topic, e);
        }
    }

    private void lasting(Kind kind, Instant now, int seconds, String healed, Runnable action) {
        healAt.put(kind, now.plusSeconds(seconds));
        heals.put(kind, () -> {
            action.run();
            log.say("healed: %s", healed);
        });
    }

    private void heal(Kind kind) {
        Runnable heal = heals.remove(kind);
        healAt.remove(kind);
        heal.run();
    }

    /** Ends the faults in effect, and the ones that last by themselves (Telegram's outage, dropped answers). */
    void healAll() {
        for (Kind kind : List.copyOf(heals.keySet())) {
            heal(kind);
        }
        // Every instance up again before the drain (its futures, taken under the lock the faults put them under).
        List<java.util.concurrent.Future<?>> pending;
        synchronized (restarts) {
            pending = List.copyOf(restarts.values());
        }
        for (java.util.concurrent.Future<?> restart : pending) {
            try {
                restart.get(5, TimeUnit.MINUTES);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                log.say("an instance did not come back before the drain: %s", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        telegram.outageUntil(Instant.EPOCH);
        telegram.dropAnswers(0);
        sim.faults(0, 0.0, null, false);
    }

    private String account() {
        return accounts.get(random.nextInt(accounts.size()));
    }

    private String symbol() {
        List<String> symbols = new ArrayList<>(LocalStack.PRICES.keySet());
        return symbols.get(random.nextInt(symbols.size()));
    }
}
