package dev.rebalancer.local;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.sim.SimAdminClient;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * {@code deploy/local/run.sh demo}: on the running local stack, creates a portfolio (SPY 60 / TLT 35 / cash 5),
 * subscribes the simulator's account to it, deposits $1,000 at the simulator, and shows as they happen the deposit
 * event, the {@code invest_cash} run with its orders, and the notification. Everything goes through the system's own
 * doors: the portfolio API, the simulator's admin API, and the Kafka topics the services publish.
 */
public final class Demo implements AutoCloseable {

    static final String PORTFOLIO = """
            {"name":"Demo: SPY 60 / TLT 35 / cash 5","description":"deploy/local/run.sh demo",
             "weights":[{"type":"cash","percent":"5"},{"type":"asset","symbol":"SPY","percent":"60"},
                        {"type":"asset","symbol":"TLT","percent":"35"}],
             "cooldown_days":7,"rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"}]}""";
    static final String DEPOSIT = "1000";
    static final Duration WAIT = Duration.ofSeconds(90);

    private final Properties stack;
    private final PrintStream out;
    private final Http api;
    private final KafkaConsumer<String, String> consumer;
    private final long started = System.nanoTime();

    Demo(Properties stack, PrintStream out) {
        this.stack = stack;
        this.out = out;
        this.api = Http.api(URI.create(stack.getProperty("portfolio-service.url")), stack.getProperty("api.key"),
                stack.getProperty("api.secret"));
        this.consumer = Tail.fromNow(stack.getProperty("kafka.bootstrap-servers"), Topics.CASH_DEPOSITS, Topics.RUNS);
    }

    public static void main(String[] args) throws IOException {
        Path file = LocalStack.propertiesFile(LocalStack.Settings.fromEnvironment().dir());
        if (!Files.isRegularFile(file)) {
            System.err.println("No local stack is running (" + file + " is missing). Start it first, in another "
                    + "terminal: deploy/local/run.sh");
            System.exit(2);
        }
        Properties stack = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            stack.load(reader);
        }
        if (!Boolean.parseBoolean(stack.getProperty("alpaca.simulated"))) {
            System.err.println("The demo deposits cash at the simulator; this stack trades on real Alpaca paper. "
                    + "Deposit in Alpaca's dashboard instead and watch " + stack.getProperty("portfolio-service.url")
                    + "/v1/rebalancing/runs.");
            System.exit(2);
        }
        try (Demo demo = new Demo(stack, System.out)) {
            demo.run();
        } catch (RuntimeException e) {
            System.err.println("demo failed: " + e.getMessage());
            System.exit(1);
        }
    }

    /** The whole demo; returns the {@code invest_cash} run as it ended. */
    RunEvent run() {
        String account = stack.getProperty("sim.account");
        say("account %s at the simulator (key %s): $%s cash", account, LocalStack.SIM_KEY,
                Http.alpaca(URI.create(stack.getProperty("alpaca.base-url")), LocalStack.SIM_KEY, LocalStack.SIM_SECRET)
                        .get("/v2/account").get("cash").asText());
        awaitAccountKnown(account);

        JsonNode existing = api.get("/v1/rebalancing/subscriptions?account_id=" + account).path("subscriptions");
        if (existing.isEmpty()) {
            JsonNode subscription = api.subscribe(account, PORTFOLIO);
            say("POST /v1/rebalancing/portfolios → portfolio %s \"Demo: SPY 60 / TLT 35 / cash 5\" (drift band ±5 points)",
                    subscription.get("portfolio_id").asText());
            say("POST /v1/rebalancing/subscriptions → subscription %s", subscription.get("id").asText());
            say("a new subscription rebalances the account's cash into the portfolio (full_rebalance), as at Alpaca:");
            awaitFinalRun(account, RunType.FULL_REBALANCE);
        } else {
            say("the account is subscribed already (subscription %s)", existing.get(0).get("id").asText());
        }

        JsonNode activity = new SimAdminClient(URI.create(stack.getProperty("alpaca.base-url")))
                .deposit(account, DEPOSIT);
        long depositedAt = System.nanoTime();
        say("deposited $%s at the simulator: activity %s (CSD)", DEPOSIT, activity.get("id").asText());
        String activityId = activity.get("id").asText();
        CashDeposit deposit = await("the deposit event", record -> record.topic().equals(Topics.CASH_DEPOSITS),
                CashDeposit.class, d -> d.eventId().equals(activityId));
        say("← %s: %s of $%s for account %s (%d ms after the deposit)", Topics.CASH_DEPOSITS, deposit.activityType(),
                deposit.amount().toPlainString(), deposit.accountId(), (System.nanoTime() - depositedAt) / 1_000_000);
        RunEvent invested = awaitFinalRun(account, RunType.INVEST_CASH);
        showNotification(invested.runId());
        say("the run as the API lists it: GET %s/v1/rebalancing/runs?account_id=%s",
                stack.getProperty("portfolio-service.url"), account);
        return invested;
    }

    private void awaitAccountKnown(String account) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode known : api.get("/v1/accounts")) {
                if (account.equals(known.path("id").asText())) {
                    return;
                }
            }
            pause();
        }
        throw new IllegalStateException("portfolio-service does not know account " + account + " after " + WAIT);
    }

    /** Shows each state of the account's next run of this type until it ends, with its orders. */
    private RunEvent awaitFinalRun(String account, RunType type) {
        String[] runId = new String[1];
        RunEvent last = await(type.name().toLowerCase(java.util.Locale.ROOT) + " run",
                record -> record.topic().equals(Topics.RUNS), RunEvent.class, run -> {
                    if (!run.accountId().equals(account) || run.type() != type
                            || (runId[0] != null && !runId[0].equals(run.runId()))) {
                        return false;
                    }
                    runId[0] = run.runId();
                    say("← %s: %s run %s %s%s%s", Topics.RUNS, run.type().name().toLowerCase(java.util.Locale.ROOT),
                            run.runId(), run.status(), run.phase() != null ? " (" + run.phase() + ")" : "",
                            run.amount() != null ? ", amount $" + run.amount().toPlainString() : "");
                    return run.status().isFinal();
                });
        for (RunOrder order : last.orders()) {
            say("      %s %-4s %s → %s%s", order.side().name().toLowerCase(java.util.Locale.ROOT), order.symbol(),
                    order.notional() != null ? "$" + order.notional().toPlainString() : order.qty().toPlainString(),
                    order.status(), order.filledQty() != null && order.filledAvgPrice() != null ? ", "
                            + order.filledQty().stripTrailingZeros().toPlainString() + " @ $"
                            + order.filledAvgPrice().toPlainString() : "");
        }
        for (RunOrder order : last.failedOrders()) {
            say("      failed: %s %s (%s)", order.side(), order.symbol(), order.reason());
        }
        return last;
    }

    private void showNotification(String runId) {
        if (Boolean.parseBoolean(stack.getProperty("telegram"))) {
            say("the notifier sends the run's summary to your Telegram chat");
            return;
        }
        Path log = Path.of(stack.getProperty("notifier.log"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> line = notificationLine(log, runId);
            if (line.isPresent()) {
                say("notification (no TELEGRAM_BOT_TOKEN, so in %s):", log);
                out.println("      " + line.get());
                return;
            }
            pause();
        }
        throw new IllegalStateException("no notification of run " + runId + " in " + log);
    }

    static Optional<String> notificationLine(Path log, String runId) {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                    .filter(line -> line.contains("\"run_id\":\"" + runId + "\""))
                    .map(line -> line.substring(line.indexOf('{'))).findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Reads the topics until an event of the type is accepted, or fails after {@link #WAIT}. */
    private <T> T await(String what, Predicate<ConsumerRecord<String, String>> from, Class<T> type,
            Predicate<T> accept) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.value() != null && from.test(record)) {
                    T event = EventJson.read(record.value(), type);
                    if (accept.test(event)) {
                        return event;
                    }
                }
            }
        }
        throw new IllegalStateException("no " + what + " within " + WAIT + " (logs: "
                + Path.of(stack.getProperty("notifier.log")).getParent() + ")");
    }

    private void say(String format, Object... args) {
        out.printf("[demo %5.1fs] %s%n", (System.nanoTime() - started) / 1e9, String.format(format, args));
        out.flush();
    }

    private static void pause() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }

}
