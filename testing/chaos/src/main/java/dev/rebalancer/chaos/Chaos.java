package dev.rebalancer.chaos;

import dev.rebalancer.local.Infrastructure;
import dev.rebalancer.local.LocalStack;
import dev.rebalancer.testing.infra.Directories;
import dev.rebalancer.testing.infra.FakeBotApi;
import dev.rebalancer.testing.infra.KafkaProcess;
import dev.rebalancer.testing.infra.PostgresProcess;
import dev.rebalancer.testing.infra.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fault-injection soak ({@code bash testing/chaos/run.sh [--minutes N] [--seed S]}): Kafka and PostgreSQL as
 * processes that are killed and started again in place, the Alpaca simulator, the four services as processes, two
 * instances of each, and Telegram played by {@link dev.rebalancer.testing.infra.FakeBotApi}. A seeded {@link Workload} runs while a seeded
 * schedule of {@link Faults} strikes; then the faults are healed, the system drains, and the {@link Invariants} are
 * judged over the whole history. The report is printed and written to {@code target/chaos/report.json}; the exit
 * status is 0 only when every invariant held.
 */
public final class Chaos {

    /** How a soak is run: how long the workload and the faults go on, from which seed, where its files go. */
    record Options(Duration duration, long seed, Path dir, Duration drainWithin) {
    }

    /** Instances of the order executor: each may have one order in flight when a halt is recorded. */
    static final int EXECUTORS = 2;
    /** The chat the notifier writes to, at the fake Bot API. */
    static final String CHAT = "4242";

    private Chaos() {
    }

    public static void main(String[] args) {
        int minutes = 30;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = Integer.parseInt(value(args, ++i, "--minutes"));
                case "--seed" -> seed = Long.parseLong(value(args, ++i, "--seed"));
                default -> {
                    System.err.println("usage: testing/chaos/run.sh [--minutes N] [--seed S]");
                    System.exit(2);
                }
            }
        }
        if (minutes < 1) {
            System.err.println("--minutes must be at least 1");
            System.exit(2);
        }
        Report report = run(new Options(Duration.ofMinutes(minutes), seed,
                ServiceProcess.repositoryRoot().resolve("target/chaos"), Duration.ofMinutes(5)));
        System.out.print(report.table());
        System.exit(report.passed() ? 0 : 1);
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            System.err.println(flag + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    /** What a further instance of a service needs of its own: a drift monitor, its Kafka Streams state directory. */
    static Map<String, String> instanceEnv(Path dir, String service, int instance) {
        return service.equals("drift-monitor")
                ? Map.of("DRIFT_STATE_DIR", dir.resolve("drift-state-" + instance).toString()) : Map.of();
    }

    static Report run(Options options) {
        Report.Log log = new Report.Log();
        Report report = new Report(options.seed(), (int) options.duration().toMinutes());
        Directories.empty(options.dir());
        KafkaProcess kafka = KafkaProcess.in(options.dir().resolve("kafka")).start();
        PostgresProcess postgres = PostgresProcess.in(options.dir().resolve("postgres")).start();
        try (FakeBotApi telegram = new FakeBotApi(options.seed())) {
            Map<String, String> env = new HashMap<>(LocalStack.Settings.anyFreePorts());
            env.put("REBALANCER_LOCAL_DIR", options.dir().resolve("stack").toString());
            env.put("TELEGRAM_BOT_TOKEN", FakeBotApi.TOKEN);
            env.put("TELEGRAM_CHAT_ID", CHAT);
            env.put("TELEGRAM_API_URL", telegram.baseUrl().toString());
            env.put("NOTIFY_RUNS", "problems");
            for (int a = 0; a < Workload.ACCOUNTS; a++) {
                env.put("REBALANCER_ACCOUNTS__CHAOS" + a + "__API_KEY_ID", Workload.key(a));
            }
            log.say("starting the stack: Kafka at %s, PostgreSQL on port %d, seed %d", kafka.bootstrapServers(),
                    postgres.port(), options.seed());
            try (LocalStack stack = LocalStack.start(new LocalStack.Settings(env), Infrastructure.of(kafka, postgres))) {
                // The second instances start together, as a Deployment scaled out would.
                Map<String, java.util.concurrent.CompletableFuture<ServiceProcess>> seconds = new LinkedHashMap<>();
                for (String service : LocalStack.SERVICES) {
                    seconds.put(service, java.util.concurrent.CompletableFuture.supplyAsync(
                            () -> stack.startInstance(service, instanceEnv(options.dir(), service, 2))));
                }
                Map<String, List<ServiceProcess>> instances = new LinkedHashMap<>();
                for (String service : LocalStack.SERVICES) {
                    // Set again by the thread that restarts a killed instance.
                    List<ServiceProcess> list = new java.util.concurrent.CopyOnWriteArrayList<>();
                    list.add(stack.service(service)); // the first: restarted by the stack's supervisor
                    list.add(seconds.get(service).join());
                    instances.put(service, list);
                }
                log.say("two instances of each service are up");
                Workload workload = new Workload(stack, options.seed(), log);
                workload.setUp();
                Faults faults = new Faults(stack, instances, options.dir(), kafka, postgres, telegram,
                        workload.accounts(), options.seed(), log);
                Instant end = Instant.now().plus(options.duration());
                // Two clocks: a fault that takes its time (a broker coming back, an instance starting) holds back the
                // next fault, never the users' deposits.
                Thread striker = new Thread(() -> everySecond(end, "fault", faults::step, log), "chaos-faults");
                striker.start();
                everySecond(end, "workload", workload::step, log);
                try {
                    striker.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
                faults.healAll();
                kafka.start();
                postgres.start();
                workload.finish();
                log.say("workload and faults stopped: %d deposits, %d manual runs, %d halts; draining",
                        workload.deposits.size(), workload.manualRuns.size(), workload.halts.size());

                Invariants invariants = new Invariants(postgres.jdbcUrl("executor"), postgres.jdbcUrl("notifier"),
                        kafka.bootstrapServers(), stack, Workload.ACCOUNTS);
                drain(invariants, workload, options.drainWithin(), log);
                report.add(invariants.depositsInvested(workload.deposits, workload.notOwed()));
                report.add(invariants.ordersOnce(workload.accounts()));
                report.add(invariants.cashNeverNegative(workload.accounts()));
                report.add(invariants.reserveKept(workload.accounts()));
                report.add(invariants.runsFinal());
                report.add(invariants.deadLetters(faults.poisons));
                report.add(invariants.noOrderRefusedForWant(workload.accounts()));
                report.add(invariants.ordersMatchRuns());
                report.add(invariants.haltsHold(workload.halts, EXECUTORS));
                report.add(invariants.alertsDelivered(telegram.sent()));
                report.add(invariants.deliveredOnce(telegram.sent()));
                report.workload.put("deposits", workload.deposits.size());
                report.workload.put("deposits_under_minimum", workload.deposits.stream()
                        .filter(d -> d.amount().compareTo(Workload.MINIMUM_DEPOSIT) < 0).count());
                report.workload.put("manual_runs", workload.manualRuns.size());
                report.workload.put("cancels_asked", workload.manualRuns.stream().filter(Workload.ManualRun::cancelAsked)
                        .count());
                report.workload.put("halts", workload.halts.size());
                report.workload.put("calls_refused_during_faults", workload.refusedCalls);
                report.workload.put("telegram_messages", telegram.sent().size());
                faults.counts.forEach((kind, count) -> report.faults.put(kind.name().toLowerCase(), count));
                instances.values().forEach(list -> list.subList(1, list.size()).forEach(ServiceProcess::close));
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("the executor's database could not be read for the invariants", e);
        } finally {
            kafka.stop();
            postgres.stop();
        }
        report.write(options.dir().resolve("report.json"), log);
        return report;
    }

    /** Calls {@code step} once a second until {@code end}; a step that fails is logged and the next one goes on. */
    private static void everySecond(Instant end, String what, java.util.function.Consumer<Instant> step,
            Report.Log log) {
        long started = System.nanoTime();
        for (long tick = 1; Instant.now().isBefore(end); tick++) {
            try {
                step.accept(Instant.now());
            } catch (RuntimeException e) {
                log.say("%s step failed: %s", what, e);
            }
            sleepUntil(started + tick * 1_000_000_000L);
        }
    }

    /**
     * Waits until every deposit of $10 or more has its run and no run is unfinished, or the time is up: what is still
     * missing then is a violation the invariants report.
     */
    private static void drain(Invariants invariants, Workload workload, Duration within, Report.Log log)
            throws java.sql.SQLException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                int awaiting = invariants.awaitingRuns(workload.deposits).size();
                int unfinished = invariants.unfinished().size();
                int undelivered = invariants.undelivered();
                if (awaiting == 0 && unfinished == 0 && undelivered == 0) {
                    log.say("drained");
                    return;
                }
            } catch (java.sql.SQLException e) {
                log.say("executor database not readable yet: %s", e.getMessage());
            }
            sleepUntil(System.nanoTime() + 2_000_000_000L);
        }
        log.say("not drained within %d s", within.toSeconds());
    }

    private static void sleepUntil(long nanoTime) {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
