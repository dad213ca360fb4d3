package dev.rebalancer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.local.Http;
import dev.rebalancer.local.LocalStack;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.FakeBotApi;
import dev.rebalancer.testing.infra.PostgresServer;
import dev.rebalancer.testing.infra.ServiceProcess;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Telegram as the owner's console, end to end: the four services as processes on the real broker and PostgreSQL, the
 * Alpaca simulator, and a fake Bot API speaking Telegram's wire format ({@code getUpdates} long polling with
 * {@code message.chat.id}, {@code from.id}, {@code text}; {@code sendMessage}; {@code sendPhoto} as multipart). The
 * owner (user 7) commands in a group (chat {@link #CHAT}); member 8 of that group and any other chat are ignored.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TelegramConsoleIT {

    static final String CHAT = "-1004242";
    static final long OWNER = 7;
    static final long MEMBER = 8;
    static final Duration REPLY_WITHIN = Duration.ofSeconds(30);
    static final String SPY_TLT = """
            [{"type":"cash","percent":"5"},{"type":"asset","symbol":"SPY","percent":"60"},
             {"type":"asset","symbol":"TLT","percent":"35"}]""";
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    /** The report's day: three days from the suite's start, at noon in New York (so none is due when it starts). */
    static final DayOfWeek REPORT_DAY = ZonedDateTime.now(NEW_YORK).getDayOfWeek().plus(3);

    static FakeBotApi bot;
    static LocalStack stack;
    static Http api;
    static SimAdminClient sim;

    @BeforeAll
    static void start() {
        bot = new FakeBotApi();
        Map<String, String> env = Stacks.env("console-stack", FakeBotApi.TOKEN, CHAT, bot.baseUrl().toString());
        env.put("TELEGRAM_ALLOWED_USER_IDS", Long.toString(OWNER));
        env.put("REPORT_DAY", REPORT_DAY.name());
        env.put("REPORT_TIME", "12:00");
        env.put("REBALANCER_ACCOUNTS__HALTER__API_KEY_ID", "console-halter");
        stack = Stacks.start(env);
        api = Http.api(stack.service("portfolio-service").baseUrl(), stack.settings().apiKey(),
                stack.settings().apiSecret());
        sim = stack.simulator();
    }

    @AfterAll
    static void stop() throws Exception {
        // What the chat showed, as the owner read it: the README's examples come from here.
        StringBuilder transcript = new StringBuilder();
        for (FakeBotApi.Sent sent : bot.sent()) {
            transcript.append("--- ").append(sent.method()).append(sent.photo() == null ? "" : " (a " + sent.photo()
                    .length + "-byte PNG)").append('\n').append(sent.shown()).append('\n');
        }
        Files.writeString(Path.of("target/console-stack/telegram-transcript.txt"), transcript);
        if (stack != null) {
            stack.close();
        }
        bot.close();
    }

    @Test
    @Order(1)
    void every_command_is_answered_in_the_chat_with_what_portfolio_service_and_the_simulator_hold() throws Exception {
        String account = subscribed(LocalStack.SIM_KEY, "main");
        sim.deposit(account, "1000");
        JsonNode invested = Runs.awaitFinal(api, account, "invest_cash", r -> true);
        assertThat(invested.get("status").asText()).isEqualTo("COMPLETED_SUCCESS");
        // The snapshot /status reads has caught up with the simulator's account (the source of truth).
        JsonNode alpaca = stack.alpaca(LocalStack.SIM_KEY).get("/v2/account");
        BigDecimal equity = new BigDecimal(alpaca.get("equity").asText());
        BigDecimal cash = new BigDecimal(alpaca.get("cash").asText());
        await().atMost(Runs.WITHIN).until(() -> {
            JsonNode snapshot = api.get("/v1/accounts/" + account).get("snapshot");
            return equity.compareTo(new BigDecimal(snapshot.get("equity").asText())) == 0
                    && cash.compareTo(new BigDecimal(snapshot.get("cash").asText())) == 0;
        });
        JsonNode drift = api.get("/v1/accounts/" + account + "/drift");

        int mark = bot.sent().size();
        bot.message(Long.parseLong(CHAT), OWNER, "/help");
        String help = awaitReply(mark, "Rebalancer commands").shown();
        assertThat(help).contains("/status", "/drift [account]", "/runs [n]", "/halt [reason]", "/resume", "/help");

        mark = bot.sent().size();
        bot.message(Long.parseLong(CHAT), OWNER, "/status@rebalancer_test_bot");
        String status = awaitReply(mark, "Status").shown();
        assertThat(status).contains("Trading: running", "main · paper", "Alpaca reachable",
                "Equity " + dollars(equity) + " · cash " + dollars(cash), "Last run: invest_cash COMPLETED_SUCCESS",
                "halter · paper", "has no active subscription");
        assertThat(status).contains("SPY " + percent(weight(drift, "SPY")) + " (target 60.00% ±5.00) ok",
                "TLT " + percent(weight(drift, "TLT")) + " (target 35.00% ±5.00) ok");

        mark = bot.sent().size();
        bot.message(Long.parseLong(CHAT), OWNER, "/drift main");
        FakeBotApi.Sent chart = awaitReply(mark, "Drift of main");
        assertThat(chart.method()).isEqualTo("sendPhoto");
        assertThat(chart.shown()).contains("Equity " + dollars(equity), "SPY " + percent(weight(drift, "SPY")),
                "Runs this week: 2 (full_rebalance 1, invest_cash 1)", "Deposits invested: $1,000.00 in 1 run");
        assertBarsFollow(chart.photo(), List.of(weight(drift, "cash"), weight(drift, "SPY"), weight(drift, "TLT")));

        mark = bot.sent().size();
        bot.message(Long.parseLong(CHAT), OWNER, "/drift nosuch");
        assertThat(awaitReply(mark, "No account \"nosuch\"").shown()).contains("Accounts: ", "main", "halter");

        mark = bot.sent().size();
        bot.message(Long.parseLong(CHAT), OWNER, "/runs 2");
        String runs = awaitReply(mark, "Last 2 runs").shown();
        assertThat(runs).contains("main · invest_cash · COMPLETED_SUCCESS · $1,000.00", "main · full_rebalance");

        mark = bot.sent().size();
        bot.message(Long.parseLong(CHAT), OWNER, "/runs lots");
        assertThat(awaitReply(mark, "/runs takes a number from 1 to 20").shown()).contains("/runs 10");

        mark = bot.sent().size();
        bot.message(Long.parseLong(CHAT), OWNER, "/frobnicate");
        assertThat(awaitReply(mark, "Unknown command /frobnicate").shown()).contains("/help");

        // Every reply was well-formed MarkdownV2, and none came less than about a second after the one before.
        assertThat(bot.refusedFormatting()).isZero();
        List<FakeBotApi.Sent> sent = bot.sent();
        for (int i = 1; i < sent.size(); i++) {
            assertThat(Duration.between(sent.get(i - 1).at(), sent.get(i).at())).as("pacing of message %d", i + 1)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(900));
        }
    }

    @Test
    @Order(2)
    void a_stranger_chat_and_a_group_member_who_may_not_command_are_ignored_and_logged_never_answered()
            throws Exception {
        long haltVersion = latestHaltVersion();
        int mark = bot.sent().size();
        long stranger = bot.message(555, 666, "/halt I am not the owner");
        long ownerElsewhere = bot.message(777, OWNER, "/halt the owner, but in a private chat");
        long member = bot.message(Long.parseLong(CHAT), MEMBER, "/halt a member of the group");
        bot.message(Long.parseLong(CHAT), OWNER, "/help");
        awaitReply(mark, "Rebalancer commands");

        assertThat(bot.sent().subList(mark, bot.sent().size())).extracting(s -> s.shown().lines().findFirst()
                .orElse("")).containsExactly("Rebalancer commands");
        assertThat(latestHaltVersion()).isEqualTo(haltVersion);
        assertThat(api.get("/v1/trading/halt").get("halted").asBoolean()).isFalse();
        // Counted on the notifier's management port, as Prometheus scrapes it.
        Scrape metrics = Scrape.of(stack.service("notifier").managementUrl());
        assertThat(metrics.sum("rebalancer_telegram_updates_total", "outcome=\"ignored\"")).isGreaterThanOrEqualTo(3);
        assertThat(metrics.sum("rebalancer_telegram_updates_total", "outcome=\"answered\"")).isGreaterThan(0);
        String log = Files.readString(stack.service("notifier").log());
        assertThat(log).contains("ignored Telegram update " + stranger + " from chat 555, user 666: not the configured"
                + " chat", "ignored Telegram update " + ownerElsewhere + " from chat 777, user 7",
                "ignored Telegram update " + member + " from chat " + CHAT + ", user 8: the user may not command");
    }

    @Test
    @Order(3)
    void halt_from_telegram_stops_the_buy_about_to_be_sent_and_resume_asks_for_a_confirmation() throws Exception {
        // Manual runs are for accounts without a subscription: the first invests the cash, the second sells SPY for TLT.
        String account = stack.simAccount("console-halter");
        await().atMost(Runs.WITHIN).until(() -> EndToEndIT.ids(api.get("/v1/accounts")).contains(account));
        api.post("/v1/rebalancing/runs", """
                {"account_id":"%s","type":"full_rebalance","weights":%s}""".formatted(account, SPY_TLT));
        assertThat(Runs.awaitFinal(api, account, "full_rebalance", r -> true).get("status").asText())
                .isEqualTo("COMPLETED_SUCCESS");
        await().atMost(Runs.WITHIN).until(() -> api.get("/v1/accounts/" + account).get("snapshot").toString()
                .contains("SPY"));
        sim.config(8_000, "0"); // orders fill 8 s after they are sent
        try {
            JsonNode run = api.post("/v1/rebalancing/runs", """
                    {"account_id":"%s","type":"full_rebalance","weights":[{"type":"cash","percent":"5"},
                     {"type":"asset","symbol":"TLT","percent":"95"}]}""".formatted(account));
            String runId = run.get("id").asText();
            // The sell of SPY is at the simulator, filling; the buy of TLT waits for it: it is about to be sent.
            await().atMost(Runs.WITHIN).until(() -> !ordersOf("console-halter", runId).isEmpty());
            assertThat(ordersOf("console-halter", runId)).extracting(o -> o.get("side").asText()).containsOnly("sell");

            int mark = bot.sent().size();
            bot.message(Long.parseLong(CHAT), OWNER, "/halt markets gone wild");
            assertThat(awaitReply(mark, "Halt engaged").shown()).contains("Reason: markets gone wild",
                    "By: telegram:7 (@user7)");
            JsonNode change = api.get("/v1/trading/halt/history?limit=1").get("changes").get(0);
            assertThat(change.get("actor").asText()).startsWith("telegram:7 (@user7) via api_key:");
            assertThat(change.get("reason").asText()).isEqualTo("markets gone wild");

            // The sell fills; the buy is never sent while the halt holds.
            await().atMost(Runs.WITHIN).until(() -> ordersOf("console-halter", runId).stream()
                    .allMatch(o -> o.get("status").asText().equals("filled")));
            await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(10)).until(() ->
                    ordersOf("console-halter", runId).stream().noneMatch(o -> o.get("side").asText().equals("buy")));

            // /resume asks first; a wrong code, or the right code from a member, resumes nothing.
            mark = bot.sent().size();
            bot.message(Long.parseLong(CHAT), OWNER, "/resume");
            String asked = awaitReply(mark, "Resume trading?").shown();
            Matcher code = Pattern.compile("Send /confirm (\\d{4}) within 2 min to resume").matcher(asked);
            assertThat(code.find()).as(asked).isTrue();
            String wrong = code.group(1).equals("0000") ? "1111" : "0000";
            mark = bot.sent().size();
            bot.message(Long.parseLong(CHAT), MEMBER, "/confirm " + code.group(1));
            bot.message(Long.parseLong(CHAT), OWNER, "/confirm " + wrong);
            assertThat(awaitReply(mark, "Nothing to confirm").shown()).contains("code \"" + wrong + "\"");
            assertThat(api.get("/v1/trading/halt").get("halted").asBoolean()).isTrue();
            assertThat(ordersOf("console-halter", runId)).noneMatch(o -> o.get("side").asText().equals("buy"));

            mark = bot.sent().size();
            bot.message(Long.parseLong(CHAT), OWNER, "/confirm " + code.group(1));
            assertThat(awaitReply(mark, "Halt released").shown()).contains("By: telegram:7 (@user7)");
            assertThat(api.get("/v1/trading/halt").get("halted").asBoolean()).isFalse();
            // A confirmation works once.
            mark = bot.sent().size();
            bot.message(Long.parseLong(CHAT), OWNER, "/confirm " + code.group(1));
            awaitReply(mark, "Nothing to confirm");
        } finally {
            sim.config(0, "0");
            if (api.get("/v1/trading/halt").get("halted").asBoolean()) {
                api.delete("/v1/trading/halt");
            }
        }
        JsonNode done = Runs.awaitFinal(api, account, "full_rebalance", r -> r.get("weights").toString()
                .contains("95"));
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED_SUCCESS");
        assertThat(ordersOf("console-halter", done.get("id").asText())).anyMatch(o -> o.get("side").asText()
                .equals("buy"));
    }

    @Test
    @Order(4)
    void a_command_whose_record_is_lost_is_not_applied_twice_and_the_offset_outlives_a_restart() throws Exception {
        // The notifier's database goes away right after Telegram hands it the update: the halt is made at
        // portfolio-service, but neither the offset nor the reply can be recorded. Once the database is back, the
        // update is read again, and the halt, asked again with the same idempotency key, is not made twice.
        String reason = "only once " + Instant.now().toEpochMilli();
        int mark = bot.sent().size();
        bot.beforeDelivering(() -> PostgresServer.unreachable("notifier"));
        long updateId;
        try {
            updateId = bot.message(Long.parseLong(CHAT), OWNER, "/halt " + reason);
            await().atMost(REPLY_WITHIN).until(() -> haltChanges(reason) == 1);
            // It was tried at least once more while the database was away.
            await().atMost(REPLY_WITHIN).until(() -> Files.readString(stack.service("notifier").log())
                    .contains("the connection holding the Telegram polling lock is gone"));
        } finally {
            PostgresServer.reachable("notifier");
        }
        awaitReply(mark, "Halt engaged");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(haltChanges(reason)).isEqualTo(1);
        assertThat(replies(mark, "Halt engaged")).hasSize(1);
        api.delete("/v1/trading/halt");

        // A restart reads on from the offset in PostgreSQL: nothing handled is read (or answered) again.
        int asked = bot.offsetsAsked().size();
        stack.restart("notifier", Map.of());
        mark = bot.sent().size();
        bot.message(Long.parseLong(CHAT), OWNER, "/help");
        awaitReply(mark, "Rebalancer commands");
        List<Long> afterRestart = bot.offsetsAsked().subList(asked, bot.offsetsAsked().size());
        assertThat(afterRestart).isNotEmpty().allMatch(offset -> offset > updateId);
        assertThat(bot.sent().subList(mark, bot.sent().size())).hasSize(1);

        // A second instance: one polls at a time (Telegram would end the other's long poll with 409), each command
        // is answered once; when the one polling dies, the other takes over.
        ServiceProcess second = stack.startInstance("notifier");
        try {
            int conflicts = bot.conflicts();
            mark = bot.sent().size();
            bot.message(Long.parseLong(CHAT), OWNER, "/help");
            bot.message(Long.parseLong(CHAT), OWNER, "/runs 1");
            awaitReply(mark, "Last 1 run");
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true);
            assertThat(replies(mark, "Rebalancer commands")).hasSize(1);
            assertThat(replies(mark, "Last 1 run")).hasSize(1);
            assertThat(bot.conflicts()).isEqualTo(conflicts);

            stack.service("notifier").kill();
            mark = bot.sent().size();
            bot.message(Long.parseLong(CHAT), OWNER, "/help");
            awaitReply(mark, "Rebalancer commands");
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> true);
            assertThat(replies(mark, "Rebalancer commands")).hasSize(1);
        } finally {
            second.close();
        }
    }

    @Test
    @Order(5)
    void the_weekly_report_comes_at_its_time_with_the_clock_moved_and_tells_the_drift_since_last_week()
            throws Exception {
        // The notifier's clock is moved to 20 s before the next report (noon New York, REPORT_DAY).
        Instant begin = Instant.now();
        Instant due = ZonedDateTime.now(NEW_YORK).with(TemporalAdjusters.next(REPORT_DAY)).withHour(12)
                .withMinute(0).withSecond(0).withNano(0).toInstant();
        long offset = Duration.between(begin, due).minusSeconds(20).toSeconds();
        int mark = bot.sent().size();
        stack.restart("notifier", Map.of("NOTIFIER_CLOCK_OFFSET", offset + "s"));
        FakeBotApi.Sent report = await().atMost(Duration.ofSeconds(60)).until(() -> first(mark,
                s -> s.shown().startsWith("Weekly drift report")), s -> s != null);
        assertThat(report.at()).as("not before its time").isAfterOrEqualTo(begin.plusSeconds(19));
        assertThat(report.shown()).contains("2 accounts");
        FakeBotApi.Sent main = await().atMost(REPLY_WITHIN).until(() -> first(mark,
                s -> s.shown().startsWith("Drift of main")), s -> s != null);
        assertThat(main.method()).isEqualTo("sendPhoto");
        assertThat(main.shown()).contains("Runs this week: 2", "Deposits invested: $1,000.00 in 1 run")
                .doesNotContain("since last week");
        JsonNode drift = api.get("/v1/accounts/" + stack.simAccount(LocalStack.SIM_KEY) + "/drift");
        assertBarsFollow(main.photo(), List.of(weight(drift, "cash"), weight(drift, "SPY"), weight(drift, "TLT")));

        // A week on, the next report tells each weight's drift since this one.
        int next = bot.sent().size();
        stack.restart("notifier", Map.of("NOTIFIER_CLOCK_OFFSET", (offset + Duration.ofDays(7).toSeconds()) + "s"));
        FakeBotApi.Sent later = await().atMost(Duration.ofSeconds(60)).until(() -> first(next,
                s -> s.shown().startsWith("Drift of main")), s -> s != null);
        assertThat(later.shown()).contains("SPY " + percent(weight(drift, "SPY")) + " (target 60.00% ±5.00) ok · "
                + "0.00 pp since last week");
        assertThat(replies(mark, "Weekly drift report")).hasSize(2);
    }

    @Test
    @Order(6)
    void the_balance_check_catches_a_two_for_one_split_the_simulator_applies_and_telegram_is_told() {
        String account = stack.simAccount(LocalStack.SIM_KEY);
        // The day before: the account's own runs and deposit since any earlier snapshot are predicted, so nothing
        // is found (or it is the first snapshot, when the service started while markets were open).
        JsonNode before = api.post("/v1/balance-checks", "{\"trading_day\":\"2031-03-03\"}");
        assertThat(entry(before, account).get("outcome").asText()).isIn("first_snapshot", "balanced");
        BigDecimal qty = new BigDecimal(simQuantity("SPY"));

        int mark = bot.sent().size();
        sim.split("SPY", "2");
        JsonNode after = api.post("/v1/balance-checks", "{\"trading_day\":\"2031-03-04\"}");
        assertThat(entry(after, account).get("outcome").asText()).isEqualTo("findings");
        String doubled = qty.multiply(BigDecimal.valueOf(2)).stripTrailingZeros().toPlainString();
        String line = "SPY: " + doubled + " held, " + qty.stripTrailingZeros().toPlainString() + " expected ("
                + qty.stripTrailingZeros().toPlainString() + " yesterday) — ×2: a 2-for-1 split?";
        FakeBotApi.Sent alert = awaitReply(mark, "Balance check of main for 2031-03-04: equity off by $");
        assertThat(alert.shown()).contains(line);
        assertThat(replies(mark, "Balance check of main")).hasSize(1);
    }

    static JsonNode entry(JsonNode check, String account) {
        for (JsonNode entry : check.get("accounts")) {
            if (entry.get("account_id").asText().equals(account)) {
                return entry;
            }
        }
        throw new AssertionError("no check of " + account + " in " + check);
    }

    static String simQuantity(String symbol) {
        for (JsonNode position : stack.alpaca(LocalStack.SIM_KEY).get("/v2/positions")) {
            if (position.get("symbol").asText().equals(symbol)) {
                return position.get("qty").asText();
            }
        }
        throw new AssertionError("no " + symbol + " position");
    }

    // ---- helpers ----

    /** Subscribes the simulator account of this key to SPY/TLT and waits for its first run; its id. */
    static String subscribed(String key, String name) {
        String account = stack.simAccount(key);
        await().atMost(Runs.WITHIN).until(() -> EndToEndIT.ids(api.get("/v1/accounts")).contains(account));
        api.subscribe(account, """
                {"name":"console %s","weights":%s,"cooldown_days":1,
                 "rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"}]}"""
                .formatted(name, SPY_TLT));
        Runs.awaitFinal(api, account, "full_rebalance", r -> true);
        return account;
    }

    static List<JsonNode> ordersOf(String key, String runId) {
        return stack.alpaca(key).orders().stream()
                .filter(o -> o.path("client_order_id").asText().startsWith("rb-" + runId)).toList();
    }

    static FakeBotApi.Sent awaitReply(int mark, String title) {
        return await().atMost(REPLY_WITHIN).until(() -> first(mark, s -> s.shown().startsWith(title)),
                s -> s != null);
    }

    static FakeBotApi.Sent first(int mark, Predicate<FakeBotApi.Sent> which) {
        List<FakeBotApi.Sent> sent = bot.sent();
        return sent.subList(Math.min(mark, sent.size()), sent.size()).stream().filter(which).findFirst().orElse(null);
    }

    static List<FakeBotApi.Sent> replies(int mark, String title) {
        List<FakeBotApi.Sent> sent = bot.sent();
        return sent.subList(mark, sent.size()).stream().filter(s -> s.shown().startsWith(title)).toList();
    }

    static long latestHaltVersion() {
        JsonNode changes = api.get("/v1/trading/halt/history?limit=1").get("changes");
        return changes.isEmpty() ? 0 : changes.get(0).get("version").asLong();
    }

    static long haltChanges(String reason) {
        List<JsonNode> found = new ArrayList<>();
        api.get("/v1/trading/halt/history?limit=50").get("changes").forEach(c -> {
            if (reason.equals(c.path("reason").asText())) {
                found.add(c);
            }
        });
        return found.size();
    }

    static BigDecimal weight(JsonNode drift, String name) {
        for (JsonNode w : drift.get("weights")) {
            String id = w.get("type").asText().equals("cash") ? "cash" : w.get("symbol").asText();
            if (id.equals(name)) {
                return new BigDecimal(w.get("current_percent").asText());
            }
        }
        throw new AssertionError("no weight " + name + " in " + drift);
    }

    static String dollars(BigDecimal amount) {
        return String.format(Locale.US, "$%,.2f", amount.setScale(2, RoundingMode.HALF_EVEN));
    }

    static String percent(BigDecimal percent) {
        return percent.setScale(2, RoundingMode.HALF_EVEN).toPlainString() + "%";
    }

    /**
     * The PNG's bars, found by their colour on the row above the baseline, left to right: each one's height in
     * pixels is its percent of a 320-pixel scale (100 %), within a pixel.
     */
    static void assertBarsFollow(byte[] png, List<BigDecimal> percents) throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isEqualTo(640);
        assertThat(image.getHeight()).isEqualTo(360);
        int baseline = 340;
        Predicate<Integer> bar = rgb -> (rgb & 0xffffff) == 0x2e6fb7 || (rgb & 0xffffff) == 0xc0392b;
        List<Integer> heights = new ArrayList<>();
        int x = 0;
        while (x < image.getWidth()) {
            if (!bar.test(image.getRGB(x, baseline - 1))) {
                x++;
                continue;
            }
            int from = x;
            while (x < image.getWidth() && bar.test(image.getRGB(x, baseline - 1))) {
                x++;
            }
            int middle = (from + x) / 2;
            int height = 0;
            while (height < baseline && bar.test(image.getRGB(middle, baseline - 1 - height))) {
                height++;
            }
            heights.add(height);
        }
        assertThat(heights).hasSameSizeAs(percents);
        for (int i = 0; i < heights.size(); i++) {
            double expected = percents.get(i).doubleValue() * 3.2;
            assertThat((double) heights.get(i)).as("bar %d of %s", i, percents).isCloseTo(expected,
                    org.assertj.core.data.Offset.offset(1.0));
        }
    }
}
