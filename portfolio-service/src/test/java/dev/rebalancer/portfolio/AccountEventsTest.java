package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.PositionSnapshot;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.TradingHalt;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.portfolio.alpaca.AlpacaHealth;
import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.AlpacaClientOptions;
import dev.rebalancer.alpaca.AlpacaEndpoint;
import dev.rebalancer.alpaca.AlpacaException;
import java.net.URI;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The events the book announces: targets, position snapshots, the halt switch, Alpaca health alerts. */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
class AccountEventsTest {

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @Inject
    AlpacaHealth health;

    @Test
    void subscribing_announces_targets_and_positions_a_change_announces_new_targets_and_unsubscribing_a_tombstone() {
        String account = Accounts.simAccountId();
        String portfolio = Api.authorized().body(Api.balancedPortfolio("Announced")).when()
                .post("/v1/rebalancing/portfolios").then().statusCode(200).extract().path("id");
        String subscription = Api.authorized().body(Map.of("account_id", account, "portfolio_id", portfolio))
                .when().post("/v1/rebalancing/subscriptions").then().statusCode(200).extract().path("id");

        try (TopicProbe targets = new TopicProbe(bootstrap, Topics.TARGETS);
                TopicProbe positions = new TopicProbe(bootstrap, Topics.POSITIONS)) {
            TargetAllocation announced = targetsOf(targets, account, subscription, 1).get(0);
            assertThat(announced.portfolioId()).isEqualTo(portfolio);
            assertThat(announced.weights()).containsExactly(Weight.cash("5"), Weight.asset("SPY", "60"),
                    Weight.asset("TLT", "35"));
            assertThat(announced.cooldownDays()).isEqualTo(7);
            assertThat(announced.rebalanceConditions()).hasSize(2);

            PositionSnapshot snapshot = EventJson.read(positions.await(r -> account.equals(r.key()), 1).get(0).value(),
                    PositionSnapshot.class);
            assertThat(snapshot.equity()).isGreaterThan(BigDecimal.ZERO);
            assertThat(snapshot.cash()).isGreaterThan(BigDecimal.ZERO);
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    Api.authorized().when().get("/v1/accounts/" + account).then().statusCode(200)
                            .body("snapshot.account_id", equalTo(account)).body("mode", equalTo("paper"))
                            .body("dry_run", equalTo(false)));

            Api.authorized().body("{\"weights\":[{\"type\":\"asset\",\"symbol\":\"SPY\",\"percent\":\"100\"}]}")
                    .when().patch("/v1/rebalancing/portfolios/" + portfolio).then().statusCode(200);
            TargetAllocation changed = targetsOf(targets, account, subscription, 2).get(1);
            assertThat(changed.weights()).containsExactly(Weight.asset("SPY", "100"));

            Api.authorized().when().delete("/v1/rebalancing/subscriptions/" + subscription).then().statusCode(204);
            List<ConsumerRecord<String, String>> forAccount = targets.await(
                    r -> account.equals(r.key()) && r.value() == null, 1);
            assertThat(forAccount).isNotEmpty();
        } finally {
            Api.authorized().when().delete("/v1/rebalancing/subscriptions/" + subscription);
        }
    }

    private static List<TargetAllocation> targetsOf(TopicProbe probe, String account, String subscription, int count) {
        return probe.await(r -> account.equals(r.key()) && r.value() != null
                        && subscription.equals(EventJson.read(r.value(), TargetAllocation.class).subscriptionId()), count)
                .stream().map(r -> EventJson.read(r.value(), TargetAllocation.class)).toList();
    }

    @Test
    void the_halt_switch_is_announced_on_the_control_topic_kept_in_the_history_and_announced_again() {
        String reason = "investigating " + UUID.randomUUID();

        Api.authorized().body(Map.of("reason", reason, "cancel_open_orders", true)).when().post("/v1/trading/halt")
                .then().statusCode(200).body("halted", equalTo(true)).body("reason", equalTo(reason));
        Api.authorized().when().get("/v1/trading/halt").then().body("halted", equalTo(true));
        Api.authorized().body("{}").when().post("/v1/trading/halt")
                .then().statusCode(422).body("message", org.hamcrest.Matchers.containsString("reason: is required"));
        Api.authorized().body(Map.of("reason", "x", "cancel_open_orders", "yes")).when().post("/v1/trading/halt")
                .then().statusCode(422).body("message", org.hamcrest.Matchers.containsString(
                        "cancel_open_orders: must be true or false"));
        Api.authorized().queryParam("reason", "resolved").when().delete("/v1/trading/halt")
                .then().statusCode(200).body("halted", equalTo(false));

        try (TopicProbe control = new TopicProbe(bootstrap, Topics.CONTROL)) {
            java.util.function.Supplier<List<TradingHalt>> heard = () -> control
                    .records(r -> TradingHalt.KEY.equals(r.key())).stream()
                    .map(r -> EventJson.read(r.value(), TradingHalt.class)).toList();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> heard.get().stream()
                    .anyMatch(e -> reason.equals(e.reason())));
            TradingHalt halt = heard.get().stream().filter(e -> reason.equals(e.reason())).findFirst().orElseThrow();
            assertThat(halt.halted()).isTrue();
            assertThat(halt.cancelsOpenOrders()).isTrue();
            // Each change counts up: a consumer can tell the resume is newer than the halt, whatever order they arrive in.
            assertThat(halt.version()).isNotNull();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> heard.get().stream()
                    .anyMatch(e -> "resolved".equals(e.reason())));
            TradingHalt resumed = heard.get().stream().filter(e -> "resolved".equals(e.reason())).findFirst()
                    .orElseThrow();
            assertThat(resumed.halted()).isFalse();
            assertThat(resumed.version()).isEqualTo(halt.version() + 1);

            // With nothing changed, the state is announced again (every 2 s in tests) with the same version.
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> heard.get().stream()
                    .filter(e -> resumed.version().equals(e.version()) && !e.halted()).count() >= 2);
            assertThat(heard.get().stream().filter(e -> resumed.version().equals(e.version()))
                    .map(TradingHalt::eventId).distinct().count()).isGreaterThanOrEqualTo(2);
        }

        var history = Api.authorized().queryParam("limit", "2").when().get("/v1/trading/halt/history")
                .then().statusCode(200).extract().jsonPath();
        assertThat(history.getList("changes.halted", Boolean.class)).containsExactly(false, true);
        assertThat(history.getList("changes.reason", String.class)).containsExactly("resolved", reason);
        assertThat(history.getList("changes.actor", String.class)).containsOnly("api_key:" + Api.KEY);
        assertThat(history.getList("changes.cancel_open_orders", Boolean.class)).containsExactly(false, true);
        assertThat(history.getLong("changes[0].version")).isEqualTo(history.getLong("changes[1].version") + 1);
        Api.authorized().queryParam("limit", "0").when().get("/v1/trading/halt/history").then().statusCode(422);
    }

    @Test
    void a_halt_or_resume_asked_again_with_its_idempotency_key_is_made_once_and_names_whom_it_was_asked_for() {
        String key = "telegram-update:" + UUID.randomUUID();
        String reason = "from the phone " + UUID.randomUUID();
        java.util.function.LongSupplier latest = () -> Api.authorized().queryParam("limit", "1").when()
                .get("/v1/trading/halt/history").then().extract().jsonPath().getList("changes.version", Long.class)
                .stream().findFirst().orElse(0L);
        long before = latest.getAsLong();

        for (int i = 0; i < 2; i++) {
            Api.authorized().header("Idempotency-Key", key)
                    .body(Map.of("reason", reason, "requested_by", "telegram:7 (@alice)")).when()
                    .post("/v1/trading/halt").then().statusCode(200).body("halted", equalTo(true))
                    .body("reason", equalTo(reason));
        }
        String resumeKey = key + ":resume";
        for (int i = 0; i < 2; i++) {
            Api.authorized().header("Idempotency-Key", resumeKey).queryParam("reason", "calm again")
                    .queryParam("requested_by", "telegram:7 (@alice)").when().delete("/v1/trading/halt")
                    .then().statusCode(200).body("halted", equalTo(false));
        }
        // The halt's key again after the resume: nothing changes, the current state (resumed) is answered.
        Api.authorized().header("Idempotency-Key", key).body(Map.of("reason", reason)).when()
                .post("/v1/trading/halt").then().statusCode(200).body("halted", equalTo(false));

        var history = Api.authorized().queryParam("limit", "3").when().get("/v1/trading/halt/history")
                .then().statusCode(200).extract().jsonPath();
        assertThat(history.getLong("changes[0].version")).isEqualTo(before + 2);
        assertThat(history.getList("changes.halted", Boolean.class).subList(0, 2)).containsExactly(false, true);
        assertThat(history.getList("changes.actor", String.class).subList(0, 2))
                .containsOnly("telegram:7 (@alice) via api_key:" + Api.KEY);

        Api.authorized().header("Idempotency-Key", "has space").body(Map.of("reason", "x")).when()
                .post("/v1/trading/halt").then().statusCode(422)
                .body("message", org.hamcrest.Matchers.containsString("Idempotency-Key"));
        Api.authorized().body(Map.of("reason", "x", "requested_by", "a\nb")).when().post("/v1/trading/halt")
                .then().statusCode(422).body("message", org.hamcrest.Matchers.containsString("requested_by"));
        assertThat(latest.getAsLong()).isEqualTo(before + 2);
    }

    /** What the client throws when nothing answers. */
    private static AlpacaException unreachable() {
        AlpacaClient nowhere = new AlpacaClient(new AlpacaEndpoint(URI.create("http://127.0.0.1:9"), "k", "s"),
                new AlpacaClientOptions(Duration.ofSeconds(1), Duration.ofSeconds(1), 200, 1, Duration.ofMillis(1),
                        Duration.ofMillis(1)));
        try {
            nowhere.clock();
        } catch (AlpacaException e) {
            return e;
        }
        throw new AssertionError("port 9 answered");
    }

    @Test
    void alpaca_failing_poll_after_poll_raises_one_alert_and_one_when_it_recovers() {
        String name = "flaky-" + UUID.randomUUID();
        AlpacaException down = unreachable();

        for (int i = 0; i < 6; i++) {
            health.failed(name, null, down);
        }
        // Reported on the management port's wellness check, and not gating readiness: the API (the halt switch)
        // stays in service while Alpaca is away.
        dev.rebalancer.testing.infra.Management.request().when().get("/q/health/well").then().statusCode(503)
                .body("checks.find { it.name == 'Alpaca reachability' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'Alpaca reachability' }.data.'" + name + "'",
                        equalTo("6 failed call(s) in a row"));
        dev.rebalancer.testing.infra.Management.request().when().get("/q/health/ready").then().statusCode(200);
        health.succeeded(name);
        dev.rebalancer.testing.infra.Management.request().when().get("/q/health/well").then().statusCode(200);
        health.succeeded(name);
        health.failed(name, null, down);

        try (TopicProbe alerts = new TopicProbe(bootstrap, Topics.ALERTS)) {
            List<Alert> mine = alerts.await(r -> r.value().contains(name), 2).stream()
                    .map(r -> EventJson.read(r.value(), Alert.class)).toList();
            Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> alerts.records(r -> r.value().contains(name)).size() == 2);
            assertThat(mine).extracting(Alert::severity).containsExactly(Severity.CRITICAL, Severity.INFO);
            assertThat(mine.get(0).title()).isEqualTo("Alpaca is unreachable for account " + name);
            assertThat(mine.get(1).title()).isEqualTo("Alpaca reachable again for account " + name);
        }
    }
}
