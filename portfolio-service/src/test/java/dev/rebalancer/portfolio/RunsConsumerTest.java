package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.InitiatedFrom;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.RunCancellation;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.math.BigDecimal;
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
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
class RunsConsumerTest {

    /** SPY's asset id as Alpaca's catalogue (and the simulator) gives it. */
    static final String SPY_ASSET_ID = java.util.UUID.nameUUIDFromBytes(
            "asset:SPY".getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @jakarta.inject.Inject
    dev.rebalancer.portfolio.messaging.RunsConsumer runsConsumer;
    private KafkaProducer<String, String> producer;

    @BeforeEach
    void producer() {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                new StringSerializer(), new StringSerializer());
    }

    @AfterEach
    void close() {
        producer.close();
    }

    private void send(String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(Topics.RUNS, key, value)).get();
    }

    static RunEvent run(String eventId, String accountId, String runId, RunStatus status, Instant updatedAt,
            List<RunOrder> failed) {
        return new RunEvent(eventId, accountId, updatedAt, runId, "deposit:" + runId, null, RunType.INVEST_CASH,
                new BigDecimal("500.00"), InitiatedFrom.SYSTEM, Trigger.CASH_DEPOSIT, status, null,
                status == RunStatus.COMPLETED_ADJUSTED ? "1 order failed" : null, false, List.of(Weight.asset("SPY", "100")),
                List.of(), failed, List.of(), Instant.parse("2026-11-23T14:30:00Z"), updatedAt,
                status.isFinal() ? updatedAt : null, null);
    }

    /** A run of the type completed at {@code at}, with one filled order or none. */
    static RunEvent completed(String accountId, RunType type, Instant at, boolean traded) {
        String runId = UUID.randomUUID().toString();
        List<RunOrder> orders = traded ? List.of(new RunOrder("order-" + runId, "rb-" + runId + "-b-SPY", "SPY",
                OrderSide.BUY, null, new BigDecimal("100.00"), BigDecimal.ONE, new BigDecimal("100"), "filled", at, at,
                null, SPY_ASSET_ID, at, at, null, null, null, at.plusSeconds(23_400))) : List.of();
        return new RunEvent(UUID.randomUUID().toString(), accountId, at, runId, "test:" + runId, null, type,
                type == RunType.INVEST_CASH ? new BigDecimal("100.00") : null, InitiatedFrom.SYSTEM, Trigger.MANUAL,
                RunStatus.COMPLETED_SUCCESS, null, null, false, List.of(Weight.asset("SPY", "100")), orders, List.of(),
                List.of(), at, at, at, null);
    }

    @Test
    void run_updates_are_recorded_in_alpacas_shape_once_and_in_order() throws Exception {
        String account = "acct-" + UUID.randomUUID();
        String runId = UUID.randomUUID().toString();
        RunOrder rejected = new RunOrder(null, "rb-" + runId + "-buy-SPY", "SPY", OrderSide.BUY, null,
                new BigDecimal("500.00"), null, null, "rejected", null, null,
                "insufficient buying power", SPY_ASSET_ID, Instant.parse("2026-11-23T14:30:02Z"),
                Instant.parse("2026-11-23T14:30:02Z"), null, null, Instant.parse("2026-11-23T14:30:02Z"), null);
        RunEvent started = run(UUID.randomUUID().toString(), account, runId, RunStatus.IN_PROGRESS,
                Instant.parse("2026-11-23T14:30:01Z"), List.of());
        RunEvent finished = run(UUID.randomUUID().toString(), account, runId, RunStatus.COMPLETED_ADJUSTED,
                Instant.parse("2026-11-23T14:30:05Z"), List.of(rejected));

        send(account, EventJson.write(started));
        send(account, EventJson.write(finished));
        send(account, EventJson.write(started));

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                Api.authorized().when().get("/v1/rebalancing/runs/" + runId).then().statusCode(200)
                        .body("status", equalTo("COMPLETED_ADJUSTED")));
        RunEvent late = run(UUID.randomUUID().toString(), account, runId, RunStatus.IN_PROGRESS,
                Instant.parse("2026-11-23T14:30:03Z"), List.of());
        send(account, EventJson.write(late));
        String marker = UUID.randomUUID().toString();
        send(account, EventJson.write(run(UUID.randomUUID().toString(), account, marker, RunStatus.QUEUED,
                Instant.parse("2026-11-23T14:31:00Z"), List.of())));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                Api.authorized().when().get("/v1/rebalancing/runs/" + marker).then().statusCode(200));

        var json = Api.authorized().when().get("/v1/rebalancing/runs/" + runId).then().statusCode(200)
                .extract().jsonPath();
        assertThat(json.getString("status")).as("a late, older update changes nothing").isEqualTo("COMPLETED_ADJUSTED");
        assertThat(json.getString("type")).isEqualTo("invest_cash");
        assertThat(json.getString("amount")).isEqualTo("500.00");
        assertThat(json.getString("initiated_from")).isEqualTo("system");
        assertThat(json.getString("reason")).isEqualTo("1 order failed");
        assertThat(json.getString("failed_orders[0].reason")).isEqualTo("insufficient buying power");
        assertThat(json.getString("weights[0].symbol")).isEqualTo("SPY");
        assertThat(json.getString("completed_at")).isEqualTo("2026-11-23T14:30:05Z");
        Api.authorized().queryParam("account_id", account).when().get("/v1/rebalancing/runs")
                .then().statusCode(200).body("runs.size()", equalTo(2));
    }

    @Test
    void an_unreadable_run_event_is_dead_lettered_with_an_alert_and_the_next_one_is_recorded() throws Exception {
        String account = "acct-" + UUID.randomUUID();
        String runId = UUID.randomUUID().toString();

        send(account, "{\"event_id\": \"x\", \"run_id\": ");
        send(account, EventJson.write(run(UUID.randomUUID().toString(), account, runId, RunStatus.QUEUED,
                Instant.now(), List.of())));

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                Api.authorized().when().get("/v1/rebalancing/runs/" + runId).then().statusCode(200));
        try (TopicProbe dlq = new TopicProbe(bootstrap, Topics.deadLetterOf(Topics.RUNS));
                TopicProbe alerts = new TopicProbe(bootstrap, Topics.ALERTS)) {
            assertThat(dlq.await(r -> account.equals(r.key()), 1).get(0).value()).isEqualTo("{\"event_id\": \"x\", \"run_id\": ");
            Alert alert = EventJson.read(alerts.await(r -> account.equals(r.key()), 1).get(0).value(), Alert.class);
            assertThat(alert.title()).contains("dead-lettered");
            assertThat(alert.source()).isEqualTo("portfolio-service");
        }
    }

    /**
     * Kafka hands a message again when the service dies, or the group rebalances, before its offset was committed: an
     * unreadable run event handed twice is dead-lettered and told once. Its position is one no message of the test
     * reaches; a third, later one tells when the second's copy and alert would have been published (the outbox keeps
     * the order it was written in).
     */
    @Test
    void an_unreadable_run_event_handed_again_is_dead_lettered_and_told_once() throws Exception {
        String account = "acct-" + UUID.randomUUID();
        String after = "acct-" + UUID.randomUUID();
        long offset = 1_000_000_000L + new java.util.Random().nextInt(1_000_000);
        var record = new org.apache.kafka.clients.consumer.ConsumerRecord<>(Topics.RUNS, 0, offset, account,
                "{\"event_id\": \"" + account + "\", \"run_id\": ");
        try (TopicProbe dlq = new TopicProbe(bootstrap, Topics.deadLetterOf(Topics.RUNS));
                TopicProbe alerts = new TopicProbe(bootstrap, Topics.ALERTS)) {
            runsConsumer.consume(record);
            runsConsumer.consume(record);
            runsConsumer.consume(new org.apache.kafka.clients.consumer.ConsumerRecord<>(Topics.RUNS, 0, offset + 1,
                    after, "{\"event_id\": \"" + after + "\", \"run_id\": "));

            alerts.await(r -> after.equals(r.key()), 1);
            dlq.await(r -> after.equals(r.key()), 1);
            assertThat(alerts.records(r -> account.equals(r.key()))).hasSize(1);
            assertThat(dlq.records(r -> account.equals(r.key()))).hasSize(1);
        }
    }

    /** The year's harvested losses of an account: each harvest the executor told of, and their total. */
    @Test
    void an_accounts_harvested_losses_are_its_harvests_of_the_year() throws Exception {
        String account = Accounts.simAccountId();
        RunEvent first = harvest(account, Instant.parse("2031-03-03T15:00:00Z"), "412.00");
        RunEvent second = harvest(account, Instant.parse("2031-12-31T20:00:00Z"), "88.50"); // 15:00 in New York
        RunEvent nextYear = harvest(account, Instant.parse("2032-01-01T06:00:00Z"), "1000.00"); // 01:00 New York
        for (RunEvent run : List.of(first, second, nextYear)) {
            send(account, EventJson.write(run));
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                Api.authorized().when().get("/v1/rebalancing/runs/" + nextYear.runId()).then().statusCode(200));

        var losses = Api.authorized().when().get("/v1/accounts/" + account + "/harvested-losses?year=2031").then()
                .statusCode(200).extract().jsonPath();
        assertThat(losses.getString("account_id")).isEqualTo(account);
        assertThat(losses.getInt("year")).isEqualTo(2031);
        assertThat(losses.getString("harvested_loss")).isEqualTo("500.50");
        assertThat(losses.getList("harvests.run_id")).containsExactly(first.runId(), second.runId());
        assertThat(losses.getString("harvests[0].reason")).isEqualTo("sold VOO at a $412.00 loss, bought VTI");
        Api.authorized().when().get("/v1/accounts/" + account + "/harvested-losses?year=2032").then().statusCode(200)
                .body("harvested_loss", equalTo("1000.00"));
        Api.authorized().when().get("/v1/accounts/" + account + "/harvested-losses?year=last").then().statusCode(422)
                .body("message", org.hamcrest.Matchers.containsString("year: must be a year such as 2026"));
        Api.authorized().when().get("/v1/accounts/not-managed/harvested-losses").then().statusCode(404);
    }

    private static RunEvent harvest(String account, Instant at, String loss) {
        RunEvent done = completed(account, RunType.TAX_LOSS_HARVEST, at, true);
        return new RunEvent(done.eventId(), done.accountId(), done.occurredAt(), done.runId(), done.requestId(),
                done.portfolioId(), done.type(), null, done.initiatedFrom(), Trigger.TAX_LOSS, done.status(),
                done.phase(), "sold VOO at a $" + loss + " loss, bought VTI", false, done.weights(), done.orders(),
                List.of(), List.of(), at, at, at, null, null, null, new BigDecimal(loss));
    }

    /** Beside Alpaca's shape, a run shows its turnover and estimated cost as the executor told them. */
    @Test
    void a_run_shows_its_turnover_and_estimated_cost() throws Exception {
        String account = "acct-" + UUID.randomUUID();
        RunEvent done = completed(account, RunType.FULL_REBALANCE, Instant.parse("2026-11-24T15:00:00Z"), true);
        RunEvent told = new RunEvent(done.eventId(), done.accountId(), done.occurredAt(), done.runId(),
                done.requestId(), done.portfolioId(), done.type(), done.amount(), done.initiatedFrom(), done.trigger(),
                done.status(), done.phase(), done.reason(), done.dryRun(), done.weights(), done.orders(),
                done.failedOrders(), done.skippedOrders(), done.createdAt(), done.updatedAt(), done.completedAt(),
                done.canceledAt(), new BigDecimal("100.00"), new BigDecimal("0.02"));

        send(account, EventJson.write(told));

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                Api.authorized().when().get("/v1/rebalancing/runs/" + done.runId()).then().statusCode(200)
                        .body("turnover", equalTo("100.00")).body("estimated_cost", equalTo("0.02")));
    }

    /** A dry run's planned orders are skipped orders, and the run says it is a dry run (a field beside Alpaca's). */
    @Test
    void a_dry_run_is_marked_and_its_planned_orders_are_skipped_orders() throws Exception {
        String account = "acct-" + UUID.randomUUID();
        String runId = UUID.randomUUID().toString();
        Instant at = Instant.parse("2026-11-23T15:00:00Z");
        RunEvent dry = new RunEvent(UUID.randomUUID().toString(), account, at, runId, "test:" + runId, null,
                RunType.FULL_REBALANCE, null, InitiatedFrom.SYSTEM, Trigger.DRIFT_BAND, RunStatus.COMPLETED_SUCCESS,
                null, null, true, List.of(Weight.asset("SPY", "100")), List.of(), List.of(),
                List.of(new dev.rebalancer.contracts.SkippedOrder("SPY", OrderSide.BUY, new BigDecimal("5000.00"),
                        "USD", RunEvent.DRY_RUN_SKIP, "planned and not sent: the account is in dry run")),
                at, at, at, null);
        send(account, EventJson.write(dry));

        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                Api.authorized().when().get("/v1/rebalancing/runs/" + runId).then().statusCode(200)
                        .body("dry_run", equalTo(true)).body("orders", org.hamcrest.Matchers.empty())
                        .body("skipped_orders[0].reason", equalTo("DRY_RUN"))
                        .body("skipped_orders[0].notional", equalTo("5000.00")));
    }

    /** A run type Alpaca's runs do not have is listed only when asked for by type. */
    @Test
    void a_partial_liquidation_and_a_harvest_are_left_out_of_run_lists_unless_asked_for() throws Exception {
        String account = "acct-" + UUID.randomUUID();
        RunEvent liquidation = completed(account, RunType.PARTIAL_LIQUIDATION, Instant.now(), false);
        RunEvent harvest = completed(account, RunType.TAX_LOSS_HARVEST, Instant.now(), true);
        RunEvent invested = completed(account, RunType.INVEST_CASH, Instant.now(), false);
        send(account, EventJson.write(liquidation));
        send(account, EventJson.write(harvest));
        send(account, EventJson.write(invested));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                Api.authorized().when().get("/v1/rebalancing/runs/" + invested.runId()).then().statusCode(200));

        Api.authorized().queryParam("account_id", account).when().get("/v1/rebalancing/runs").then().statusCode(200)
                .body("runs.id", org.hamcrest.Matchers.contains(invested.runId()));
        Api.authorized().queryParam("account_id", account).queryParam("type", "partial_liquidation").when()
                .get("/v1/rebalancing/runs").then().statusCode(200)
                .body("runs.id", org.hamcrest.Matchers.contains(liquidation.runId()));
        Api.authorized().queryParam("account_id", account).queryParam("type", "tax_loss_harvest").when()
                .get("/v1/rebalancing/runs").then().statusCode(200)
                .body("runs.id", org.hamcrest.Matchers.contains(harvest.runId()))
                .body("runs[0].type", equalTo("tax_loss_harvest"));
        Api.authorized().body(Map.of("account_id", account, "type", "tax_loss_harvest", "weights",
                List.of(Map.of("type", "asset", "symbol", "SPY", "percent", "100")))).when()
                .post("/v1/rebalancing/runs").then().statusCode(422)
                .body("message", org.hamcrest.Matchers.containsString("tax_loss_harvest runs are started by the "
                        + "rebalancer"));
    }

    /**
     * A run event that could not be read when it came (a bug since fixed) waits on the dead-letter topic, counted in
     * the metrics and the API; replaying puts it back on the runs topic, where it is recorded.
     */
    @Test
    void a_dead_lettered_run_event_is_counted_and_replayed_onto_its_topic_after_the_fix() throws Exception {
        String account = "acct-" + UUID.randomUUID();
        String runId = UUID.randomUUID().toString();
        String deadLetters = Topics.deadLetterOf(Topics.RUNS);
        long before = waiting(deadLetters);
        producer.send(new ProducerRecord<>(deadLetters, account, EventJson.write(run(UUID.randomUUID().toString(),
                account, runId, RunStatus.QUEUED, Instant.now(), List.of())))).get();

        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> waiting(deadLetters) == before + 1);
        String metrics = dev.rebalancer.testing.infra.Management.request().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertThat(metrics).contains("rebalancer_dead_letters_waiting{topic=\"" + deadLetters + "\"} "
                + (before + 1) + ".0");
        Api.authorized().when().get("/v1/rebalancing/runs/" + runId).then().statusCode(404);

        int replayed = Api.authorized().body(Map.of("topic", Topics.RUNS)).when().post("/v1/dead-letters/replay")
                .then().statusCode(200).body("topic", equalTo(Topics.RUNS)).extract().path("replayed");

        assertThat(replayed).isEqualTo(before + 1);
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                Api.authorized().when().get("/v1/rebalancing/runs/" + runId).then().statusCode(200)
                        .body("status", equalTo("QUEUED")));
        Api.authorized().body(Map.of("topic", "rebalancer.nope")).when().post("/v1/dead-letters/replay")
                .then().statusCode(422).body("message", org.hamcrest.Matchers.containsString(
                        "topic: not a topic of this system"));
        Api.authorized().body("{}").when().post("/v1/dead-letters/replay").then().statusCode(422)
                .body("message", org.hamcrest.Matchers.containsString("topic: is required"));
    }

    private static long waiting(String deadLetters) {
        return Api.authorized().when().get("/v1/dead-letters").then().statusCode(200).extract().jsonPath()
                .getLong("waiting.'" + deadLetters + "'");
    }

    /**
     * Alpaca's cooldown counts from the last completed full rebalance that traded: an invest_cash runs regardless of it,
     * and a rebalance that found nothing to trade restarts nothing.
     */
    @Test
    void a_completed_full_rebalance_that_traded_is_recorded_on_the_subscription_and_announced_for_the_cooldown()
            throws Exception {
        String account = Accounts.simAccountId();
        String portfolio = Api.authorized().body(Api.balancedPortfolio("Cooldown")).when()
                .post("/v1/rebalancing/portfolios").then().statusCode(200).extract().path("id");
        String subscription = Api.authorized().body(Map.of("account_id", account, "portfolio_id", portfolio))
                .when().post("/v1/rebalancing/subscriptions").then().statusCode(200).extract().path("id");
        try {
            Instant done = Instant.now().minusSeconds(5).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            Instant invested = done.minusSeconds(20);
            Instant nothingTraded = done.minusSeconds(10);
            send(account, EventJson.write(completed(account, RunType.INVEST_CASH, invested, true)));
            send(account, EventJson.write(completed(account, RunType.FULL_REBALANCE, nothingTraded, false)));
            send(account, EventJson.write(completed(account, RunType.FULL_REBALANCE, done, true)));

            Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    Api.authorized().when().get("/v1/rebalancing/subscriptions/" + subscription).then()
                            .body("last_rebalanced_at", equalTo(done.toString())));
            try (TopicProbe targets = new TopicProbe(bootstrap, Topics.TARGETS)) {
                targets.await(r -> account.equals(r.key()) && r.value() != null
                        && done.equals(EventJson.read(r.value(), TargetAllocation.class).lastRebalancedAt()), 1);
                // The three arrived in order on one partition: the first two were handled before the third.
                assertThat(targets.readToEnd(r -> account.equals(r.key()) && r.value() != null).stream()
                        .map(r -> EventJson.read(r.value(), TargetAllocation.class).lastRebalancedAt()))
                        .doesNotContain(invested, nothingTraded);
            }
        } finally {
            Api.authorized().when().delete("/v1/rebalancing/subscriptions/" + subscription).then().statusCode(204);
        }
    }

    @Test
    void unsubscribing_cancels_the_runs_the_system_queued_and_leaves_manual_ones() throws Exception {
        String account = Accounts.simAccountId();
        String portfolio = Api.authorized().body(Api.balancedPortfolio("Unsubscribe")).when()
                .post("/v1/rebalancing/portfolios").then().statusCode(200).extract().path("id");
        String subscription = Api.authorized().body(Map.of("account_id", account, "portfolio_id", portfolio))
                .when().post("/v1/rebalancing/subscriptions").then().statusCode(200).extract().path("id");
        String automatic = UUID.randomUUID().toString();
        String manual = UUID.randomUUID().toString();
        send(account, EventJson.write(queued(account, automatic, InitiatedFrom.SYSTEM)));
        send(account, EventJson.write(queued(account, manual, InitiatedFrom.API)));
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Api.authorized().when().get("/v1/rebalancing/runs/" + automatic).then().statusCode(200);
            Api.authorized().when().get("/v1/rebalancing/runs/" + manual).then().statusCode(200);
        });

        try (TopicProbe requests = new TopicProbe(bootstrap, Topics.REBALANCE_REQUESTS)) {
            Api.authorized().when().delete("/v1/rebalancing/subscriptions/" + subscription).then().statusCode(204);

            RunCancellation cancel = EventJson.read(requests.await(r -> r.value() != null
                    && r.value().contains(RunCancellation.TYPE) && r.value().contains(automatic), 1).get(0).value(),
                    RunCancellation.class);
            assertThat(cancel.accountId()).isEqualTo(account);
            assertThat(requests.readToEnd(r -> r.value() != null && r.value().contains(RunCancellation.TYPE)
                    && r.value().contains(manual))).as("a manual run stays").isEmpty();
        }
    }

    private static RunEvent queued(String accountId, String runId, InitiatedFrom initiatedFrom) {
        Instant now = Instant.now();
        return new RunEvent(UUID.randomUUID().toString(), accountId, now, runId, "test:" + runId, null,
                RunType.FULL_REBALANCE, null, initiatedFrom, initiatedFrom == InitiatedFrom.API ? Trigger.MANUAL
                        : Trigger.DRIFT_BAND, RunStatus.QUEUED, null, null, false, List.of(Weight.asset("SPY", "100")),
                List.of(), List.of(), List.of(), now, now, null, null);
    }
}
