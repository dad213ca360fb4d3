package dev.rebalancer.notifier.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebalancer.notifier.config.NotifierConfig;
import dev.rebalancer.notifier.console.Replies.Reply;
import dev.rebalancer.notifier.delivery.Sender;
import dev.rebalancer.notifier.telegram.TelegramClient;
import dev.rebalancer.runtime.Transactions;
import dev.rebalancer.runtime.WorkerLoop;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * The weekly drift report, at {@code REPORT_DAY} {@code REPORT_TIME} in {@code REPORT_ZONE} (Friday 17:30 New York by
 * default): per account the allocation against target and band with a chart, each weight's drift since last week's
 * report, the week's runs and the deposits they invested. Sent once per scheduled time whichever instance composes it
 * (its row is the guard, written with the messages in one transaction); a report more than {@link #LATE} late (the
 * notifier was down) is skipped and logged.
 */
@ApplicationScoped
public class WeeklyReport {

    private static final Logger LOG = Logger.getLogger(WeeklyReport.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration LATE = Duration.ofHours(6);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm z", Locale.ROOT);

    private final AgroalDataSource dataSource;
    private final ConsoleStore store;
    private final Sender sender;
    private final NotifierConfig.Report settings;
    private final Duration clockOffset;
    private final Optional<PortfolioApi> portfolio;
    private final boolean telegram;
    private final WorkerLoop loop;
    /** The scheduled time last found sent (by any instance) or skipped: the database is asked once per time. */
    private Instant settled;

    WeeklyReport(AgroalDataSource dataSource, ConsoleStore store, Sender sender, NotifierConfig config) {
        this.dataSource = dataSource;
        this.store = store;
        this.sender = sender;
        this.settings = config.report();
        this.clockOffset = config.clockOffset();
        this.telegram = TelegramClient.of(config.telegram()).isPresent();
        this.portfolio = PortfolioApi.of(config.portfolio());
        this.loop = new WorkerLoop("weekly-report", Duration.ofSeconds(1), this::round);
    }

    void start(@Observes StartupEvent event) {
        if (!settings.enabled() || !telegram || portfolio.isEmpty()) {
            LOG.infof("the weekly drift report is off (%s)", !settings.enabled() ? "REPORT_ENABLED=false"
                    : !telegram ? "no TELEGRAM_BOT_TOKEN" : "no PORTFOLIO_URL");
            return;
        }
        LOG.infof("the weekly drift report goes out every %s at %s %s", settings.day(), settings.time(),
                settings.zone());
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) {
        loop.close();
    }

    /** The latest scheduled time at or before {@code now}. */
    static Instant scheduledBefore(Instant now, NotifierConfig.Report settings) {
        ZonedDateTime local = now.atZone(settings.zone());
        ZonedDateTime candidate = local.with(TemporalAdjusters.previousOrSame(settings.day()))
                .with(settings.time()).withSecond(0).withNano(0);
        if (candidate.isAfter(local)) {
            candidate = candidate.minusWeeks(1);
        }
        return candidate.toInstant();
    }

    private void round() {
        Instant now = Instant.now().plus(clockOffset);
        Instant scheduled = scheduledBefore(now, settings);
        if (scheduled.equals(settled)) {
            return;
        }
        if (sent(scheduled)) {
            settled = scheduled;
            return;
        }
        if (scheduled.plus(LATE).isBefore(now)) {
            settled = scheduled;
            LOG.infof("the weekly report of %s is not sent: more than %d h late", scheduled, LATE.toHours());
            return;
        }
        Map<String, Map<String, BigDecimal>> lastWeek = store.allocationsBefore(scheduled);
        Map<String, Map<String, BigDecimal>> thisWeek = new TreeMap<>();
        List<Reply> replies = compose(scheduled, lastWeek, thisWeek);
        boolean fresh = Transactions.inTransaction(dataSource, c -> {
            boolean inserted = Transactions.update(c, """
                    INSERT INTO weekly_reports (scheduled_for, allocations, composed_at) VALUES (?, ?, ?)
                    ON CONFLICT (scheduled_for) DO NOTHING""", scheduled, json(thisWeek), Instant.now()) == 1;
            if (inserted) {
                store.queue(c, replies);
            }
            return inserted;
        });
        settled = scheduled; // composed here, or meanwhile by another instance
        if (fresh) {
            LOG.infof("weekly drift report of %s composed: %d message(s)", scheduled, replies.size());
            sender.wake();
        }
    }

    private List<Reply> compose(Instant scheduled, Map<String, Map<String, BigDecimal>> lastWeek,
            Map<String, Map<String, BigDecimal>> thisWeek) {
        PortfolioApi api = portfolio.get();
        List<Reply> replies = new ArrayList<>();
        JsonNode accounts = api.accounts();
        replies.add(Reply.text("Weekly drift report", List.of("Week to " + DAY.format(scheduled.atZone(settings.zone())),
                accounts.size() + (accounts.size() == 1 ? " account" : " accounts") + "; a chart each below.")));
        for (JsonNode account : accounts) {
            replies.addAll(account(api, account, lastWeek.get(account.path("id").asText()), scheduled, thisWeek));
        }
        return replies;
    }

    /**
     * One account's week to {@code to}: its chart, each weight against target and band with its drift since
     * {@code before} (last week's report's allocation; null: none), the week's runs and deposits invested. The
     * account's allocation now is put in {@code allocations}. Also what /drift answers.
     */
    static List<Reply> account(PortfolioApi api, JsonNode account, Map<String, BigDecimal> before, Instant to,
            Map<String, Map<String, BigDecimal>> allocations) {
        String id = account.path("id").asText();
        String name = Console.name(account);
        PortfolioApi.Answer drift = api.drift(id);
        List<String> lines = new ArrayList<>();
        if (drift.ok()) {
            JsonNode body = drift.body();
            lines.add("Equity " + Replies.money(body.path("equity")) + " · as of " + Replies.time(body.path("as_of"))
                    + (body.path("breached").asBoolean() ? " · PAST ITS BAND" : " · within its bands"));
            Map<String, BigDecimal> allocation = new TreeMap<>();
            for (JsonNode w : body.path("weights")) {
                String weight = Replies.weight(w);
                BigDecimal current = Replies.decimal(w, "current_percent");
                allocation.put(weight, current);
                String since = before == null ? "" : !before.containsKey(weight) ? " · new since last week"
                        : " · " + Replies.points(current.subtract(before.get(weight))) + " since last week";
                lines.add(Replies.driftLine(w) + since);
            }
            allocations.put(id, allocation);
        } else {
            lines.add(drift.refused().said());
        }
        lines.addAll(week(api.runs(id, 100).path("runs"), to.minus(Duration.ofDays(7)), to));
        String title = "Drift of " + name;
        return drift.ok() ? Replies.withChart(new Reply(title, lines, AllocationChart.png(Replies.bars(drift.body()))))
                : List.of(Reply.text(title, lines));
    }

    /** The week's runs in a line, the deposits invested in another. */
    static List<String> week(JsonNode runs, Instant from, Instant to) {
        Map<String, Integer> byType = new TreeMap<>();
        int failed = 0;
        int deposits = 0;
        BigDecimal invested = BigDecimal.ZERO;
        for (JsonNode run : runs) {
            Instant created = Instant.parse(run.path("created_at").asText());
            if (created.isBefore(from) || created.isAfter(to)) {
                continue;
            }
            String type = run.path("type").asText();
            String status = run.path("status").asText();
            byType.merge(type, 1, Integer::sum);
            if (status.equals("ERROR") || status.equals("TIMEOUT")) {
                failed++;
            }
            if (type.equals("invest_cash") && status.startsWith("COMPLETED") && !run.path("amount").isNull()) {
                deposits++;
                invested = invested.add(new BigDecimal(run.path("amount").asText()));
            }
        }
        int total = byType.values().stream().mapToInt(Integer::intValue).sum();
        List<String> parts = new ArrayList<>();
        byType.forEach((type, count) -> parts.add(type + " " + count));
        return List.of("Runs this week: " + total + (parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")")
                        + (failed > 0 ? "; " + failed + " failed" : ""),
                "Deposits invested: " + Replies.money(invested) + " in " + deposits
                        + (deposits == 1 ? " run" : " runs"));
    }

    private boolean sent(Instant scheduled) {
        return Transactions.inTransaction(dataSource, c -> Transactions.one(c,
                "SELECT 1 FROM weekly_reports WHERE scheduled_for = ?", row -> true, scheduled).isPresent());
    }

    private static String json(Map<String, Map<String, BigDecimal>> allocations) {
        ObjectNode root = JSON.createObjectNode();
        allocations.forEach((account, weights) -> {
            ObjectNode node = root.putObject(account);
            weights.forEach((w, p) -> node.put(w, p.toPlainString()));
        });
        return root.toString();
    }
}
