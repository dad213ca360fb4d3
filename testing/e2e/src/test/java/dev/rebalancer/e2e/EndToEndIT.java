package dev.rebalancer.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import dev.rebalancer.local.Http;
import dev.rebalancer.local.LocalStack;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.AlpacaContract;
import dev.rebalancer.testing.infra.AlpacaPyModels;
import dev.rebalancer.testing.infra.CboeVixFile;
import dev.rebalancer.testing.infra.TopicProbe;
import dev.rebalancer.contracts.Topics;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole system as it runs for a user: the local stack (real KRaft broker, real PostgreSQL, the Alpaca
 * paper-broker simulator) with all four services as processes of their own, configured only through their
 * environment, and Telegram played by WireMock in the Bot API's shapes. Everything is done through the doors a user
 * has — the portfolio API, the simulator's admin and Trading API, Telegram — and every scenario has an account of its
 * own.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndIT {

    static final String TOKEN = "123456:e2e-token";
    static final String CHAT = "4242";
    static final String SEND_MESSAGE = "/bot" + TOKEN + "/sendMessage";
    static final Duration RUN_WITHIN = Runs.WITHIN;
    static final List<String> ACCOUNTS = List.of("deposit", "drift", "reject", "halt", "crash", "sdk", "metrics",
            "harvest", "volatile");

    static WireMockServer telegram;
    /** Cboe's VIX history file, played by a double: the VIX is low (14.20) until a test says otherwise. */
    static CboeVixFile vix;
    static LocalStack stack;
    static Http api;
    static SimAdminClient sim;

    @BeforeAll
    static void start() {
        telegram = new WireMockServer(options().dynamicPort());
        telegram.start();
        telegram.stubFor(post(urlPathEqualTo(SEND_MESSAGE)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("""
                        {"ok":true,"result":{"message_id":1,"date":1795000000,"chat":{"id":4242,"type":"private"},"text":"x"}}""")));

        vix = CboeVixFile.start(0);
        CboeVixFile.setCloses(vix.url(), Map.of(LocalDate.now(ZoneId.of("America/New_York")).minusDays(1), "14.20"));
        Map<String, String> env = Stacks.env("e2e-stack", TOKEN, CHAT, telegram.baseUrl());
        env.put("VIX_HISTORY_URL", vix.url().toString());
        env.put("VOLATILITY_REFRESH_INTERVAL", "1s");
        for (String account : ACCOUNTS) {
            env.put("REBALANCER_ACCOUNTS__" + account.toUpperCase() + "__API_KEY_ID", key(account));
        }
        stack = Stacks.start(env);
        api = Http.api(stack.service("portfolio-service").baseUrl(), stack.settings().apiKey(),
                stack.settings().apiSecret());
        sim = stack.simulator();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
        telegram.stop();
        if (vix != null) {
            vix.close();
        }
    }

    @Test
    void the_file_that_holds_the_api_secret_is_its_owners_alone() throws Exception {
        Path file = LocalStack.propertiesFile(stack.settings().dir());
        assertThat(java.nio.file.Files.readString(file)).contains(stack.settings().apiSecret());
        assertThat(java.nio.file.Files.getPosixFilePermissions(file)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }

    /** Last, over everything the scenarios made the services write: no secret in any log line. */
    @Test
    @Order(Integer.MAX_VALUE)
    void no_secret_reaches_any_log() throws Exception {
        List<String> secrets = new ArrayList<>(List.of(TOKEN, stack.settings().apiSecret(), LocalStack.SIM_SECRET));
        ACCOUNTS.forEach(account -> secrets.add(key(account) + "-secret"));
        try (var logs = java.nio.file.Files.list(stack.service("portfolio-service").log().getParent())) {
            List<Path> files = logs.toList();
            assertThat(files).hasSizeGreaterThanOrEqualTo(LocalStack.SERVICES.size());
            for (Path file : files) {
                String text = java.nio.file.Files.readString(file);
                assertThat(text).as(file.getFileName().toString()).isNotEmpty();
                for (String secret : secrets) {
                    assertThat(text).as(file.getFileName() + " holds a secret").doesNotContain(secret);
                }
            }
        }
    }

    /**
     * After the scenarios (and one deposit of its own, since a scenario restarts the executor, whose counters restart
     * with it): every service's management port, scraped as Prometheus would, shows each counter moved. A message
     * nobody can read on the requests and runs topics, and one refused send to Telegram, move the failure counters.
     */
    @Test
    @Order(Integer.MAX_VALUE - 1)
    void every_service_counts_what_it_did_on_its_management_port() throws Exception {
        telegram.stubFor(post(urlPathEqualTo(SEND_MESSAGE)).atPriority(1).inScenario("one refusal")
                .whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willReturn(aResponse().withStatus(502)).willSetStateTo("refused once"));
        Map<String, Object> kafka = new HashMap<>(dev.rebalancer.testing.infra.KafkaBroker.clientConfig());
        kafka.put("bootstrap.servers", stack.bootstrapServers());
        try (var producer = new org.apache.kafka.clients.producer.KafkaProducer<String, String>(kafka,
                new org.apache.kafka.common.serialization.StringSerializer(),
                new org.apache.kafka.common.serialization.StringSerializer())) {
            for (String topic : List.of(dev.rebalancer.contracts.Topics.REBALANCE_REQUESTS,
                    dev.rebalancer.contracts.Topics.RUNS)) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "metrics-poison",
                        "this is not an event")).get();
            }
        }
        String account = subscribed("metrics", SPY_TLT);
        sim.deposit(account, "500");
        JsonNode run = awaitFinalRun(account, "invest_cash", r -> true);
        assertThat(run.get("status").asText()).isEqualTo("COMPLETED_SUCCESS");

        String runs = "topic=\"" + dev.rebalancer.contracts.Topics.RUNS + "\"";
        await().atMost(RUN_WITHIN).untilAsserted(() -> {
            Scrape portfolio = scrape("portfolio-service");
            assertThat(portfolio.sum("rebalancer_deposits_seen_total")).as("deposits seen").isGreaterThan(0);
            assertThat(portfolio.sum("rebalancer_deposit_first_order_seconds_count")).as("deposit → first order")
                    .isGreaterThan(0);
            assertThat(portfolio.sum("rebalancer_deposit_first_order_seconds_bucket", "le=\"+Inf\""))
                    .as("as a histogram").isGreaterThan(0);
            assertThat(portfolio.sum("rebalancer_alpaca_requests_seconds_count",
                    "endpoint=\"/v2/account/activities\"", "status=\"200\"")).as("deposit polls").isGreaterThan(0);
            assertThat(portfolio.sum("rebalancer_deposit_polls_total")).as("account polls").isGreaterThan(0);
            // Each stage of the deposit's journey, on the service that saw it.
            assertThat(portfolio.sum("rebalancer_deposit_stage_seconds_count", "stage=\"seen\"")).isGreaterThan(0);
            assertThat(portfolio.sum("rebalancer_deposit_stage_seconds_count", "stage=\"published\""))
                    .isGreaterThan(0);
            assertThat(portfolio.sum("rebalancer_alpaca_budget_remaining")).as("polling budget").isGreaterThan(0);
            assertThat(portfolio.sum("rebalancer_outbox_backlog")).as("outbox backlog").isNotNaN();
            assertThat(portfolio.sum("rebalancer_outbox_oldest_age_seconds")).as("outbox age").isNotNaN();
            assertThat(portfolio.sum("rebalancer_dead_lettered_total", runs)).as("runs dead-lettered")
                    .isGreaterThan(0);

            Scrape drift = scrape("drift-monitor");
            assertThat(drift.sum("rebalancer_requests_published_total", "type=\"invest_cash\"",
                    "trigger=\"cash_deposit\"")).as("requests published").isGreaterThan(0);
            assertThat(drift.sum("rebalancer_deposit_stage_seconds_count", "stage=\"requested\"")).isGreaterThan(0);
            // Drift breaches: counted by the drift-band scenario, before it restarts the drift monitor.
            assertThat(drift.sum("rebalancer_dead_lettered_total", runs)).as("runs dead-lettered").isGreaterThan(0);

            Scrape executor = scrape("order-executor");
            assertThat(executor.sum("rebalancer_runs_started_total", "type=\"invest_cash\"")).isGreaterThan(0);
            assertThat(executor.sum("rebalancer_runs_finished_total", "type=\"invest_cash\"",
                    "status=\"COMPLETED_SUCCESS\"")).isGreaterThan(0);
            assertThat(executor.sum("rebalancer_run_duration_seconds_count", "type=\"invest_cash\"")).isGreaterThan(0);
            assertThat(executor.sum("rebalancer_deposit_stage_seconds_count", "stage=\"queued\"")).isGreaterThan(0);
            assertThat(executor.sum("rebalancer_deposit_stage_seconds_bucket", "stage=\"first_order\"",
                    "le=\"+Inf\"")).as("as a histogram").isGreaterThan(0);
            assertThat(executor.sum("rebalancer_orders_total", "side=\"buy\"", "status=\"filled\""))
                    .isGreaterThan(0);
            assertThat(executor.sum("rebalancer_alpaca_requests_seconds_count", "method=\"POST\"",
                    "endpoint=\"/v2/orders\"", "status=\"200\"")).as("orders sent").isGreaterThan(0);
            assertThat(executor.sum("rebalancer_alpaca_budget_remaining")).as("executors' budget").isGreaterThan(0);
            assertThat(executor.sum("rebalancer_outbox_backlog")).isNotNaN();
            assertThat(executor.sum("rebalancer_dead_lettered_total",
                    "topic=\"" + dev.rebalancer.contracts.Topics.REBALANCE_REQUESTS + "\"")).isGreaterThan(0);

            Scrape notifier = scrape("notifier");
            assertThat(notifier.sum("rebalancer_telegram_deliveries_total")).isGreaterThan(0);
            assertThat(notifier.sum("rebalancer_telegram_failures_total", "reason=\"failed\"")).isGreaterThan(0);
            assertThat(notifier.sum("rebalancer_telegram_backlog")).isNotNaN();
            assertThat(notifier.sum("rebalancer_dead_lettered_total", runs)).isGreaterThan(0);
        });
    }

    static Scrape scrape(String service) {
        return Scrape.of(stack.service(service).managementUrl());
    }

    @Test
    void a_deposit_is_invested_the_positions_follow_and_the_run_is_listed() {
        String account = subscribed("deposit", SPY_TLT);

        sim.deposit(account, "1000");

        JsonNode run = awaitFinalRun(account, "invest_cash", r -> true);
        assertThat(run.get("status").asText()).isEqualTo("COMPLETED_SUCCESS");
        assertThat(new BigDecimal(run.get("amount").asText())).isEqualByComparingTo("1000");
        assertThat(run.get("orders")).isNotEmpty().allSatisfy(order -> {
            assertThat(order.get("side").asText()).isEqualTo("buy");
            assertThat(order.get("status").asText()).isEqualTo("filled");
        });

        // Re-synced: the account's latest snapshot at portfolio-service is what the simulator holds after the run.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(snapshotQuantities(account)).isEqualTo(simQuantities("deposit")));
        List<String> listed = ids(api.get("/v1/rebalancing/runs?account_id=" + account).get("runs"));
        assertThat(listed).contains(run.get("id").asText());
    }

    @Test
    void a_price_move_past_the_band_rebalances_and_every_sell_fills_before_the_first_buy() {
        String account = subscribed("drift", QQQ_BND);
        JsonNode first = newestRun(account, "full_rebalance", r -> true).orElseThrow();
        // One automatic rebalance a trading day, as at Alpaca: the subscription's was today, so the monitor is
        // moved to the next trading day (and past the portfolio's one-day cooldown).
        stack.restart("drift-monitor", Map.of("DRIFT_CLOCK_OFFSET", "PT" + 24 * daysToNextWeekday() + "H"));
        try {
            sim.prices(Map.of("QQQ", "765.00")); // +50 %: QQQ drifts from 60 % to about 69 %, past its 5-point band

            JsonNode run = awaitFinalRun(account, "full_rebalance",
                    r -> !r.get("id").asText().equals(first.get("id").asText()));

            assertThat(run.get("status").asText()).isEqualTo("COMPLETED_SUCCESS");
            List<JsonNode> orders = ordersOf(key("drift"), run.get("id").asText());
            List<JsonNode> sells = orders.stream().filter(o -> o.get("side").asText().equals("sell")).toList();
            List<JsonNode> buys = orders.stream().filter(o -> o.get("side").asText().equals("buy")).toList();
            assertThat(sells).extracting(o -> o.get("symbol").asText()).containsExactly("QQQ");
            assertThat(buys).extracting(o -> o.get("symbol").asText()).contains("BND");
            Instant firstBuy = buys.stream().map(o -> Instant.parse(o.get("submitted_at").asText()))
                    .min(Instant::compareTo).orElseThrow();
            assertThat(sells).allSatisfy(sell -> {
                assertThat(sell.get("status").asText()).isEqualTo("filled");
                assertThat(Instant.parse(sell.get("filled_at").asText())).isBefore(firstBuy);
            });
            // Counted where it happened (the restart below starts the drift monitor's counters again).
            Scrape drift = scrape("drift-monitor");
            assertThat(drift.sum("rebalancer_drift_breaches_total")).as("drift breaches").isGreaterThan(0);
            assertThat(drift.sum("rebalancer_requests_published_total", "type=\"full_rebalance\"",
                    "trigger=\"drift_band\"")).isGreaterThan(0);
        } finally {
            sim.prices(Map.of("QQQ", LocalStack.PRICES.get("QQQ")));
            stack.restart("drift-monitor", Map.of());
        }
    }

    /**
     * Tax-loss harvesting through the whole system: an account all in VOO, bought 60 days before the rebalancer (its
     * FILL activity says so), subscribes to
     * a VOO portfolio with harvesting on. VOO drops 10 %: the drift monitor asks for a harvest, the executor sells VOO
     * at its loss (first in, first out) and buys VTI, and says so; a deposit inside the 30 days then buys VTI, never
     * VOO — at the simulator's own record of orders.
     */
    @Test
    void a_loss_is_harvested_and_a_deposit_inside_the_wash_sale_window_buys_the_substitute() {
        String account = stack.simAccount(key("harvest"));
        await().atMost(RUN_WITHIN).until(() -> ids(api.get("/v1/accounts")).contains(account));
        String voo = LocalStack.PRICES.get("VOO"); // $540: 18.5 shares are $9,990, bought 60 days ago
        sim.holdBoughtAt(account, "VOO", "18.5", voo, Instant.now().minus(Duration.ofDays(60)));
        api.subscribe(account, """
                {"name":"e2e harvest","weights":[{"type":"asset","symbol":"VOO","percent":"100"}],"cooldown_days":1,
                 "rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"}],
                 "strategies":{"tax_loss_harvesting":{}}}""");
        awaitFinalRun(account, "full_rebalance", r -> true);
        try {
            sim.prices(Map.of("VOO", new BigDecimal(voo).multiply(new BigDecimal("0.9")).toPlainString()));

            JsonNode harvest = awaitFinalRun(account, "tax_loss_harvest", r -> true);

            assertThat(harvest.get("status").asText()).isEqualTo("COMPLETED_SUCCESS");
            assertThat(harvest.get("reason").asText()).matches("sold VOO at a \\$999\\.0\\d loss, bought VTI; VOO "
                    + "blocked until \\d{4}-\\d{2}-\\d{2}");
            List<JsonNode> orders = ordersOf(key("harvest"), harvest.get("id").asText());
            assertThat(orders).extracting(o -> o.get("side").asText() + " " + o.get("symbol").asText())
                    .containsExactlyInAnyOrder("sell VOO", "buy VTI");
            assertThat(orders).allSatisfy(o -> assertThat(o.get("status").asText()).isEqualTo("filled"));
            JsonNode sell = orders.stream().filter(o -> o.get("side").asText().equals("sell")).findFirst().orElseThrow();
            JsonNode buy = orders.stream().filter(o -> o.get("side").asText().equals("buy")).findFirst().orElseThrow();
            assertThat(Instant.parse(sell.get("filled_at").asText()))
                    .isBeforeOrEqualTo(Instant.parse(buy.get("submitted_at").asText()));
            assertThat(ids(api.get("/v1/rebalancing/runs?account_id=" + account).get("runs")))
                    .as("an Alpaca-shaped list never shows a harvest").doesNotContain(harvest.get("id").asText());
            JsonNode losses = api.get("/v1/accounts/" + account + "/harvested-losses");
            assertThat(losses.get("harvested_loss").asText()).matches("999\\.0\\d")
                    .isEqualTo(harvest.get("harvested_loss").asText());
            assertThat(ids(losses.get("harvests"), "run_id")).containsExactly(harvest.get("id").asText());

            sim.deposit(account, "1000");
            JsonNode invested = awaitFinalRun(account, "invest_cash", r -> true);

            assertThat(invested.get("status").asText()).isEqualTo("COMPLETED_SUCCESS");
            assertThat(ordersOf(key("harvest"), invested.get("id").asText()))
                    .extracting(o -> o.get("side").asText() + " " + o.get("symbol").asText()).containsExactly("buy VTI");
            assertThat(alpaca("harvest").orders()).filteredOn(o -> o.get("side").asText().equals("buy")
                    && o.get("symbol").asText().equals("VOO")).as("VOO never bought while blocked").isEmpty();
        } finally {
            sim.prices(Map.of("VOO", voo));
        }
    }

    /**
     * The volatility filter through the whole system: the VIX (Cboe's file, a double here) closes at 36.50, above the
     * portfolio's 30; GLD's price move breaches its band on the next trading day, and no order reaches the simulator —
     * the deferral is recorded with its reading and told on Telegram. The VIX closes at 12.80: the rebalance runs.
     */
    @Test
    void while_the_vix_is_above_the_threshold_a_drift_rebalance_waits_and_runs_once_it_is_down() {
        String account = stack.simAccount(key("volatile"));
        await().atMost(RUN_WITHIN).until(() -> ids(api.get("/v1/accounts")).contains(account));
        api.subscribe(account, """
                {"name":"e2e volatile","weights":%s,"cooldown_days":1,
                 "rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"}],
                 "strategies":{"volatility_filter":{}}}""".formatted(GLD_BIL));
        JsonNode first = awaitFinalRun(account, "full_rebalance", r -> true);
        LocalDate today = LocalDate.now(ZoneId.of("America/New_York"));
        String gld = LocalStack.PRICES.get("GLD");
        try {
            CboeVixFile.setCloses(vix.url(), new TreeMap<>(Map.of(today.minusDays(2), "14.20", today.minusDays(1),
                    "36.50")));
            try (TopicProbe readings = new TopicProbe(stack.bootstrapServers(), Topics.VOLATILITY)) {
                readings.await(r -> "vix".equals(r.key()) && r.value().contains("\"36.50\""), 1);
            }
            stack.restart("drift-monitor", Map.of("DRIFT_CLOCK_OFFSET", "PT" + 24 * daysToNextWeekday() + "H"));
            sim.prices(Map.of("GLD", new BigDecimal(gld).multiply(new BigDecimal("1.5")).toPlainString()));

            JsonNode deferral = await().atMost(RUN_WITHIN).until(() -> api.get("/v1/accounts/" + account
                    + "/deferrals"), list -> list.size() > 0).get(0);
            assertThat(deferral.get("trigger").asText()).isEqualTo("drift_band");
            assertThat(deferral.get("source").asText()).isEqualTo("vix");
            assertThat(deferral.get("reading").asText()).isEqualTo("36.5");
            assertThat(deferral.get("reading_as_of").asText()).isEqualTo(today.minusDays(1).toString());
            assertThat(deferral.get("reason").asText()).startsWith("VIX closed at 36.50 on " + today.minusDays(1)
                    + ", above this portfolio's threshold of 30: drift band breached by GLD at ");
            awaitTelegram(containing("Rebalance deferred"), containing("VIX closed at 36\\.50")); // MarkdownV2
            assertThat(alpaca("volatile").orders()).as("at the simulator: only the subscription's orders")
                    .allSatisfy(o -> assertThat(o.get("client_order_id").asText())
                            .startsWith("rb-" + first.get("id").asText()));

            Instant lowered = Instant.now();
            CboeVixFile.setCloses(vix.url(), new TreeMap<>(Map.of(today.minusDays(1), "36.50", today, "12.80")));
            JsonNode run = awaitFinalRun(account, "full_rebalance",
                    r -> !r.get("id").asText().equals(first.get("id").asText()));

            assertThat(run.get("status").asText()).isEqualTo("COMPLETED_SUCCESS");
            assertThat(Instant.parse(run.get("created_at").asText())).as("requested once the VIX was down")
                    .isAfter(lowered);
            assertThat(ordersOf(key("volatile"), run.get("id").asText()))
                    .extracting(o -> o.get("side").asText() + " " + o.get("symbol").asText()).contains("sell GLD");
            assertThat(alpaca("volatile").orders()).as("every order at the simulator is of one of the two runs")
                    .allSatisfy(o -> assertThat(o.get("client_order_id").asText()).matches("rb-("
                            + first.get("id").asText() + "|" + run.get("id").asText() + ").*"));
            assertThat(telegram.findAll(postRequestedFor(urlPathEqualTo(SEND_MESSAGE))
                    .withRequestBody(containing("Rebalance deferred")))).as("told once that day, though every "
                            + "snapshot until the VIX fell was deferred again").hasSize(1);
        } finally {
            sim.prices(Map.of("GLD", gld));
            CboeVixFile.setCloses(vix.url(), Map.of(today.minusDays(1), "14.20"));
            stack.restart("drift-monitor", Map.of());
        }
    }

    /**
     * The backtest command, given a portfolio's id, reads it and its strategies from the running portfolio-service (its
     * API, its credentials) and backtests what the service would trade: here tax-loss harvesting of the pair VOO/VTI,
     * which harvests VOO's 10 % fall ($500.00: 50 shares bought at $100, no spread, no reserve) under the portfolio's
     * own policy and not under a band policy without it.
     */
    @Test
    void the_backtest_takes_a_portfolio_and_its_strategies_from_the_running_service(
            @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        String portfolio = json(api.post("/v1/rebalancing/portfolios", """
                {"name":"e2e backtest","weights":[{"type":"asset","symbol":"VOO","percent":"50"},
                 {"type":"asset","symbol":"BND","percent":"50"}],"cooldown_days":1,
                 "rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"}],
                 "strategies":{"tax_loss_harvesting":{"pairs":[["VOO","VTI"]],"loss_percent":"5"}}}"""));
        String id = Http.JSON.readTree(portfolio).get("id").asText();
        StringBuilder csv = new StringBuilder("date,symbol,close\n");
        LocalDate day = LocalDate.parse("2026-01-05");
        for (int i = 0; i < 60; i++, day = day.plusDays(day.getDayOfWeek() == DayOfWeek.FRIDAY ? 3 : 1)) {
            csv.append(day).append(",VOO,").append(i < 40 ? "100" : "90").append('\n')
                    .append(day).append(",VTI,100\n").append(day).append(",BND,100\n");
        }
        Path prices = dir.resolve("closes.csv");
        java.nio.file.Files.writeString(prices, csv);
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();

        int status = dev.rebalancer.backtest.BacktestMain.run(new String[] {"--portfolio-id", id, "--api",
                stack.service("portfolio-service").baseUrl().toString(), "--api-key", stack.settings().apiKey(),
                "--api-secret", stack.settings().apiSecret(), "--prices", prices.toString(), "--spread-bps", "0",
                "--reserve-bps", "0", "--policies", "portfolio,band-5", "--out", dir.resolve("bt.json").toString()},
                new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));

        assertThat(status).isZero();
        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8)).startsWith("Backtest of e2e backtest, "
                + "2026-01-05 to ");
        JsonNode policies = Http.JSON.readTree(dir.resolve("bt.json").toFile()).get("policies");
        assertThat(new BigDecimal(policies.get(0).get("performance").get("harvested_losses").asText()))
                .isEqualByComparingTo("500.00");
        assertThat(new BigDecimal(policies.get(1).get("performance").get("harvested_losses").asText()))
                .isEqualByComparingTo("0");
    }

    @Test
    void a_rejected_order_completes_the_run_adjusted_and_reaches_telegram() {
        sim.faults(1, null, null, null); // the next order submission is refused with a 403

        String account = subscribed("reject", SPY_TLT);

        JsonNode run = newestRun(account, "full_rebalance", r -> true).orElseThrow();
        assertThat(run.get("status").asText()).isEqualTo("COMPLETED_ADJUSTED");
        assertThat(run.get("failed_orders")).hasSize(1);
        String runId = run.get("id").asText();
        // MarkdownV2 escapes '_' and '-' (the Bot API's formatting rules).
        awaitTelegram(containing("COMPLETED\\_ADJUSTED"), containing(runId.replace("-", "\\-")));
    }

    @Test
    void with_trading_halted_no_order_reaches_the_simulator() {
        String account = subscribed("halt", SPY_TLT);
        int ordersBefore = alpaca("halt").orders().size();

        api.post("/v1/trading/halt", "{\"reason\":\"e2e: hands off\"}");
        try {
            // The executor has it when it says so: its "Trading halted" alert reaches Telegram.
            awaitTelegram(containing("Trading halted"), containing("hands off"));
            sim.deposit(account, "500");
            JsonNode queued = awaitRun(account, "invest_cash", r -> true);
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(8))
                    .until(() -> alpaca("halt").orders().size() == ordersBefore);
            assertThat(run(queued.get("id").asText()).get("status").asText()).isEqualTo("QUEUED");
        } finally {
            api.delete("/v1/trading/halt");
        }
        // And once trading resumes, the queued run goes out: it was the halt that held it.
        JsonNode run = awaitFinalRun(account, "invest_cash", r -> true);
        assertThat(run.get("status").asText()).isEqualTo("COMPLETED_SUCCESS");
        assertThat(alpaca("halt").orders()).hasSizeGreaterThan(ordersBefore);
    }

    @Test
    void an_executor_killed_mid_run_is_restarted_and_completes_the_run_with_no_order_twice() {
        String account = subscribed("crash", SPY_TLT);
        sim.config(3_000, "0");
        try {
            sim.deposit(account, "600");
            JsonNode started = awaitRun(account, "invest_cash", r -> true);
            String runId = started.get("id").asText();
            await().atMost(RUN_WITHIN).until(() -> !ordersOf(key("crash"), runId).isEmpty());
            long killed = stack.service("order-executor").pid();

            stack.service("order-executor").kill();

            await().atMost(Duration.ofSeconds(120)).until(() -> stack.service("order-executor").pid() != killed
                    && stack.service("order-executor").isAlive());
            JsonNode run = awaitFinalRun(account, "invest_cash", r -> r.get("id").asText().equals(runId));
            assertThat(run.get("status").asText()).isEqualTo("COMPLETED_SUCCESS");
            assertThat(run.get("failed_orders")).isEmpty();
            List<JsonNode> atSimulator = ordersOf(key("crash"), runId);
            assertThat(sim.submissions(account).orderedTwice()).as("orders sent twice, by the simulator's count").isEmpty();
            assertThat(atSimulator).extracting(o -> o.get("client_order_id").asText())
                    .containsExactlyInAnyOrderElementsOf(ids(run.get("orders"), "client_order_id"));
            assertThat(atSimulator).allSatisfy(o -> assertThat(o.get("status").asText()).isEqualTo("filled"));
        } finally {
            sim.config(100, "0");
        }
    }

    // --- the doors -------------------------------------------------------------------------------------------------

    static final String SPY_TLT = """
            [{"type":"cash","percent":"5"},{"type":"asset","symbol":"SPY","percent":"60"},
             {"type":"asset","symbol":"TLT","percent":"35"}]""";
    static final String QQQ_BND = """
            [{"type":"cash","percent":"5"},{"type":"asset","symbol":"QQQ","percent":"60"},
             {"type":"asset","symbol":"BND","percent":"35"}]""";

    static final String GLD_BIL = """
            [{"type":"cash","percent":"5"},{"type":"asset","symbol":"GLD","percent":"60"},
             {"type":"asset","symbol":"BIL","percent":"35"}]""";

    static String key(String account) {
        return "e2e-" + account;
    }

    static Http alpaca(String account) {
        return stack.alpaca(key(account));
    }

    /**
     * A client written for Alpaca's hosted rebalancer, switched to this base URL and nothing else: requests serialized
     * as alpaca-py serializes them (percents as JSON numbers, None left out), every answer parsed with alpaca-py's
     * models and checked against Alpaca's Broker API document — portfolios, subscriptions paged, the subscription's
     * run and a manual run read back with their orders.
     */
    @Test
    void a_client_built_for_alpacas_rebalancer_works_unchanged() throws Exception {
        AlpacaContract broker = AlpacaContract.broker();
        String account = stack.simAccount(key("sdk"));
        await().atMost(RUN_WITHIN).until(() -> ids(api.get("/v1/accounts")).contains(account));

        // CreatePortfolioRequest(name=..., description=..., weights=[Weight(type=WeightType.ASSET, symbol="SPY",
        // percent=60.0), ...], cooldown_days=1, rebalance_conditions=[RebalancingConditions(...)]).to_request_fields()
        String portfolio = json(api.post("/v1/rebalancing/portfolios", """
                {"name":"alpaca-py balanced","description":"made by alpaca-py","weights":[
                 {"type":"asset","symbol":"SPY","percent":60.0},{"type":"asset","symbol":"TLT","percent":40.0}],
                 "cooldown_days":1,"rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":5.0}]}"""));
        AlpacaPyModels.assertParses(AlpacaPyModels.PORTFOLIO, portfolio);
        broker.assertAnswer("POST", "/v1/rebalancing/portfolios", 200, portfolio);
        String portfolioId = Http.JSON.readTree(portfolio).get("id").asText();

        String portfolios = json(api.get("/v1/rebalancing/portfolios"));
        AlpacaPyModels.assertParsesList(AlpacaPyModels.PORTFOLIO, portfolios);
        broker.assertAnswer("GET", "/v1/rebalancing/portfolios", 200, portfolios);
        String updated = json(api.patch("/v1/rebalancing/portfolios/" + portfolioId, """
                {"rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":5.0},
                 {"type":"drift_band","sub_type":"relative","percent":20.0}]}"""));
        AlpacaPyModels.assertParses(AlpacaPyModels.PORTFOLIO, updated);
        broker.assertAnswer("PATCH", "/v1/rebalancing/portfolios/{portfolio_id}", 200, updated);
        assertThat(Http.JSON.readTree(updated).get("rebalance_conditions")).hasSize(2);
        AlpacaPyModels.assertParses(AlpacaPyModels.PORTFOLIO, json(api.get("/v1/rebalancing/portfolios/" + portfolioId)));

        // CreateSubscriptionRequest(account_id=..., portfolio_id=...): the subscription rebalances the account's cash.
        String subscription = json(api.post("/v1/rebalancing/subscriptions",
                "{\"account_id\":\"" + account + "\",\"portfolio_id\":\"" + portfolioId + "\"}"));
        AlpacaPyModels.assertParses(AlpacaPyModels.SUBSCRIPTION, subscription);
        broker.assertAnswer("POST", "/v1/rebalancing/subscriptions", 200, subscription);
        String subscriptionId = Http.JSON.readTree(subscription).get("id").asText();
        // get_all_subscriptions walks the pages through next_page_token until it is null.
        List<String> listed = new ArrayList<>();
        String token = null;
        do {
            String page = json(api.get("/v1/rebalancing/subscriptions?limit=1"
                    + (token == null ? "" : "&page_token=" + token)));
            AlpacaPyModels.assertParsesPage(AlpacaPyModels.SUBSCRIPTION, "subscriptions", page);
            broker.assertAnswer("GET", "/v1/rebalancing/subscriptions", 200, page);
            JsonNode read = Http.JSON.readTree(page);
            listed.addAll(ids(read.get("subscriptions")));
            token = read.get("next_page_token").isNull() ? null : read.get("next_page_token").asText();
        } while (token != null);
        assertThat(listed).contains(subscriptionId).doesNotHaveDuplicates();
        AlpacaPyModels.assertParses(AlpacaPyModels.SUBSCRIPTION,
                json(api.get("/v1/rebalancing/subscriptions/" + subscriptionId)));

        JsonNode automatic = awaitFinalRun(account, "full_rebalance", r -> true);
        assertRunAsTheSdkReadsIt(broker, account, automatic.get("id").asText());

        api.delete("/v1/rebalancing/subscriptions/" + subscriptionId);
        // CreateRunRequest(account_id=..., type=RunType.FULL_REBALANCE, weights=[Weight(...), ...])
        String manual = json(api.post("/v1/rebalancing/runs", """
                {"account_id":"%s","type":"full_rebalance","weights":[
                 {"type":"asset","symbol":"SPY","percent":50.0},{"type":"asset","symbol":"VTI","percent":50.0}]}"""
                .formatted(account)));
        AlpacaPyModels.assertParses(AlpacaPyModels.REBALANCING_RUN, manual);
        broker.assertSchema("PortfolioRun", manual);
        String manualId = Http.JSON.readTree(manual).get("id").asText();
        JsonNode done = awaitFinalRun(account, "full_rebalance", r -> r.get("id").asText().equals(manualId));
        assertThat(done.get("status").asText()).isEqualTo("COMPLETED_SUCCESS");
        JsonNode run = assertRunAsTheSdkReadsIt(broker, account, manualId);
        assertThat(ids(run.get("orders"), "symbol")).contains("TLT", "VTI");

        api.delete("/v1/rebalancing/portfolios/" + portfolioId);
        assertThat(api.get("/v1/rebalancing/portfolios/" + portfolioId).get("status").asText()).isEqualTo("inactive");
    }

    /**
     * The run as get_run_by_id and get_all_runs read it: parsed by the SDK's models, valid by Alpaca's document, its
     * orders Alpaca order objects with the fields Alpaca's Trading API gives them and the ids Alpaca gave them.
     */
    private static JsonNode assertRunAsTheSdkReadsIt(AlpacaContract broker, String account, String runId)
            throws Exception {
        String body = json(api.get("/v1/rebalancing/runs/" + runId));
        AlpacaPyModels.assertParses(AlpacaPyModels.REBALANCING_RUN, body);
        broker.assertAnswer("GET", "/v1/rebalancing/runs/{run_id}", 200, body);
        String page = json(api.get("/v1/rebalancing/runs?account_id=" + account));
        AlpacaPyModels.assertParsesPage(AlpacaPyModels.REBALANCING_RUN, "runs", page);
        broker.assertAnswer("GET", "/v1/rebalancing/runs", 200, page);

        JsonNode run = Http.JSON.readTree(body);
        assertThat(run.get("orders")).isNotEmpty();
        Map<String, JsonNode> atAlpaca = new HashMap<>();
        ordersOf(key("sdk"), runId).forEach(o -> atAlpaca.put(o.get("client_order_id").asText(), o));
        for (JsonNode order : run.get("orders")) {
            assertThat(order.fieldNames()).toIterable().contains("id", "client_order_id", "created_at", "updated_at",
                    "submitted_at", "filled_at", "expired_at", "canceled_at", "failed_at", "asset_id", "symbol",
                    "asset_class", "notional", "qty", "filled_qty", "filled_avg_price", "order_class", "order_type",
                    "type", "side", "time_in_force", "limit_price", "stop_price", "status", "extended_hours");
            JsonNode alpaca = atAlpaca.get(order.get("client_order_id").asText());
            assertThat(alpaca).as("Alpaca has order %s", order.get("client_order_id")).isNotNull();
            for (String field : List.of("id", "asset_id", "status", "filled_qty")) {
                assertThat(order.get(field)).as("%s of %s", field, order.get("client_order_id"))
                        .isEqualTo(alpaca.get(field));
            }
            // Times to the microsecond, as PostgreSQL keeps them (rounded) and Python's datetime reads them.
            for (String field : List.of("created_at", "submitted_at", "filled_at", "expires_at")) {
                assertThat(Instant.parse(order.get(field).asText())).as("%s of %s", field, order.get("client_order_id"))
                        .isCloseTo(Instant.parse(alpaca.get(field).asText()),
                                org.assertj.core.api.Assertions.within(1, ChronoUnit.MICROS));
            }
        }
        return run;
    }

    private static String json(JsonNode node) throws Exception {
        return Http.JSON.writeValueAsString(node);
    }

    /**
     * A portfolio of these weights with a 5-point drift band and the account subscribed to it; returns when the
     * subscription's own run (a full rebalance of the account's cash) has ended.
     */
    static String subscribed(String name, String weights) {
        String account = stack.simAccount(key(name));
        await().atMost(RUN_WITHIN).until(() -> ids(api.get("/v1/accounts")).contains(account));
        api.subscribe(account, """
                {"name":"e2e %s","weights":%s,"cooldown_days":1,
                 "rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"}]}"""
                .formatted(name, weights));
        awaitFinalRun(account, "full_rebalance", r -> true);
        return account;
    }

    static JsonNode run(String runId) {
        return api.get("/v1/rebalancing/runs/" + runId);
    }

    static JsonNode awaitRun(String account, String type, Predicate<JsonNode> which) {
        return Runs.awaitNewest(api, account, type, which);
    }

    static JsonNode awaitFinalRun(String account, String type, Predicate<JsonNode> which) {
        return Runs.awaitFinal(api, account, type, which);
    }

    static Optional<JsonNode> newestRun(String account, String type, Predicate<JsonNode> which) {
        return Runs.newest(api, account, type, which);
    }

    /** The run's orders at the simulator: Alpaca's own record of what was sent. */
    static List<JsonNode> ordersOf(String key, String runId) {
        String account = key.substring("e2e-".length());
        return alpaca(account).orders().stream()
                .filter(o -> o.path("client_order_id").asText().startsWith("rb-" + runId)).toList();
    }

    static Map<String, BigDecimal> snapshotQuantities(String account) {
        JsonNode snapshot = api.get("/v1/accounts/" + account).get("snapshot");
        return quantities(snapshot == null ? Http.JSON.createArrayNode() : snapshot.get("positions"));
    }

    static Map<String, BigDecimal> simQuantities(String account) {
        return quantities(alpaca(account).get("/v2/positions"));
    }

    private static Map<String, BigDecimal> quantities(JsonNode positions) {
        Map<String, BigDecimal> quantities = new TreeMap<>();
        positions.forEach(p -> quantities.put(p.get("symbol").asText(),
                new BigDecimal(p.get("qty").asText()).stripTrailingZeros()));
        return quantities;
    }

    static void awaitTelegram(com.github.tomakehurst.wiremock.matching.StringValuePattern... texts) {
        await().atMost(RUN_WITHIN).untilAsserted(() -> {
            var request = postRequestedFor(urlPathEqualTo(SEND_MESSAGE))
                    .withRequestBody(matchingJsonPath("$.chat_id", WireMock.equalTo(CHAT)));
            for (var text : texts) {
                request = request.withRequestBody(matchingJsonPath("$.text", text));
            }
            telegram.verify(WireMock.moreThanOrExactly(1), request);
        });
    }

    static List<String> ids(JsonNode items) {
        return ids(items, "id");
    }

    static List<String> ids(JsonNode items, String field) {
        List<String> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.get(field).asText()));
        return ids;
    }

    /** Days from today (New York) to the next Monday-to-Friday. */
    static int daysToNextWeekday() {
        LocalDate today = LocalDate.now(ZoneId.of("America/New_York"));
        LocalDate next = today.plusDays(1);
        while (next.getDayOfWeek() == DayOfWeek.SATURDAY || next.getDayOfWeek() == DayOfWeek.SUNDAY) {
            next = next.plusDays(1);
        }
        return (int) (next.toEpochDay() - today.toEpochDay());
    }
}
