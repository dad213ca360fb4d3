package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.portfolio.book.RunBook;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A completed full rebalance is recorded on the subscription (and its targets announced again) while the user deletes
 * the subscription or changes the portfolio's weights. The recording reads first and commits last: optimistic locking
 * makes it fail rather than bring a deleted subscription back; a weight change waits for it, loses, and is done again,
 * so the new weights are announced last.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
class BookRacesTest {

    private static final String SPY_ONLY = "{\"weights\":[{\"type\":\"asset\",\"symbol\":\"SPY\",\"percent\":\"100\"}]}";

    @Inject
    RunBook runs;
    @Inject
    EntityManager entityManager;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    String account;
    String portfolio;
    String subscription;
    TopicProbe targets;

    @BeforeEach
    void subscribe() {
        account = Accounts.simAccountId();
        portfolio = Api.authorized().body(Api.balancedPortfolio("Races")).when().post("/v1/rebalancing/portfolios")
                .then().statusCode(200).extract().path("id");
        subscription = Api.authorized().body(Map.of("account_id", account, "portfolio_id", portfolio)).when()
                .post("/v1/rebalancing/subscriptions").then().statusCode(200).extract().path("id");
        targets = new TopicProbe(bootstrap, Topics.TARGETS);
    }

    @AfterEach
    void unsubscribe() {
        targets.close();
        Api.authorized().when().delete("/v1/rebalancing/subscriptions/" + subscription);
    }

    /**
     * Records a completed full rebalance of the account in a transaction of its own, which waits, after the recording
     * (and, if asked, a flush: its row locks taken), until released, then commits.
     */
    private CompletableFuture<Void> recordingThatWaits(boolean flush, CountDownLatch recorded, CountDownLatch release) {
        return CompletableFuture.runAsync(() -> QuarkusTransaction.requiringNew().run(() -> {
            runs.record(RunsConsumerTest.completed(account, RunType.FULL_REBALANCE, Instant.now(), true));
            if (flush) {
                entityManager.flush();
            }
            recorded.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
    }

    /** The account's records on the targets topic from this subscription or its tombstones, in order. */
    private List<ConsumerRecord<String, String>> mine() {
        return targets.readToEnd(r -> account.equals(r.key()) && (r.value() == null
                || subscription.equals(EventJson.read(r.value(), TargetAllocation.class).subscriptionId())));
    }

    @Test
    void a_subscription_deleted_while_a_rebalance_is_recorded_stays_deleted_and_its_tombstone_comes_last() {
        CountDownLatch recorded = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> recording = recordingThatWaits(false, recorded, release);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> recorded.getCount() == 0);

        Api.authorized().when().delete("/v1/rebalancing/subscriptions/" + subscription).then().statusCode(204);
        release.countDown();

        Throwable lost = recording.handle((ok, failure) -> failure).join();
        Api.authorized().when().get("/v1/rebalancing/subscriptions/" + subscription).then().statusCode(404);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !mine().isEmpty()
                && mine().get(mine().size() - 1).value() == null);
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                mine().get(mine().size() - 1).value() == null);
        assertThat(lost).as("the recording lost the race").hasRootCauseInstanceOf(
                org.hibernate.StaleStateException.class);
    }

    @Test
    void a_weight_change_that_loses_the_race_to_a_recorded_rebalance_is_done_again_and_announced_last() {
        CountDownLatch recorded = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> recording = recordingThatWaits(true, recorded, release);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> recorded.getCount() == 0);

        CompletableFuture<Integer> patch = CompletableFuture.supplyAsync(() -> Api.authorized().body(SPY_ONLY).when()
                .patch("/v1/rebalancing/portfolios/" + portfolio).then().extract().statusCode());
        boolean patchWaited = waitsAWhile(patch);
        release.countDown();

        recording.join();
        assertThat(patch.join()).isEqualTo(200);
        Api.authorized().when().get("/v1/rebalancing/portfolios/" + portfolio).then().statusCode(200)
                .body("weights.size()", org.hamcrest.Matchers.equalTo(1));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> lastWeights().equals(List.of(
                Weight.asset("SPY", "100"))));
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() ->
                lastWeights().equals(List.of(Weight.asset("SPY", "100"))));
        assertThat(patchWaited).as("the PATCH waited for the recording's lock on the portfolio").isTrue();
    }

    /** True when the call is still running after a second (blocked, here, on a row lock). */
    private static boolean waitsAWhile(CompletableFuture<?> call) {
        try {
            Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> !call.isDone());
            return true;
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            return false;
        }
    }

    private List<Weight> lastWeights() {
        List<ConsumerRecord<String, String>> records = mine();
        ConsumerRecord<String, String> last = records.isEmpty() ? null : records.get(records.size() - 1);
        return last == null || last.value() == null ? List.of()
                : EventJson.read(last.value(), TargetAllocation.class).weights();
    }
}
