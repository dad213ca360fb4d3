package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.portfolio.persistence.AccountEntity;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The deposit poller passes nothing Alpaca posts: an activity stamped with the timestamp of one already seen (its id
 * sorting before it), one back-dated behind the newest seen, one stamped at the start of the day the account came
 * under management, each announced once; and one Alpaca cancels or corrects after it was announced is an alert, not a
 * second announcement.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
class DepositWindowTest {

    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    SimAdminClient sim;
    String account;
    TopicProbe deposits;
    TopicProbe alerts;

    @BeforeEach
    void setUp() {
        sim = new SimAdminClient(simulator);
        account = Accounts.simAccountId();
        deposits = new TopicProbe(bootstrap, Topics.CASH_DEPOSITS);
        alerts = new TopicProbe(bootstrap, Topics.ALERTS);
    }

    @AfterEach
    void tearDown() {
        deposits.close();
        alerts.close();
    }

    /** Waits for the activity's announcement, then checks for a while that it is the only one. */
    private CashDeposit announcedOnce(String activityId) {
        deposits.await(r -> r.value().contains(activityId), 1);
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> deposits.records(r -> r.value().contains(activityId)).size() == 1);
        return EventJson.read(deposits.records(r -> r.value().contains(activityId)).get(0).value(), CashDeposit.class);
    }

    private String depositNow(String amount) {
        return sim.deposit(account, amount).get("id").asText();
    }

    @Test
    void an_activity_with_the_timestamp_of_one_already_seen_and_an_id_sorting_before_it_is_announced() {
        Instant at = Instant.now();
        // Two at one instant, the second's id sorting before the first's, seen in this order in two polls.
        String first = sim.deposit(account, "12.00", at, "ffffffff-0000-4000-8000-000000000000", null)
                .get("id").asText();
        announcedOnce(first);
        String second = sim.deposit(account, "13.00", at, "00000000-0000-4000-8000-000000000000", "JNLC")
                .get("id").asText();

        CashDeposit announced = announcedOnce(second);

        assertThat(second.substring(0, second.indexOf("::"))).isEqualTo(first.substring(0, first.indexOf("::")));
        assertThat(second).isLessThan(first);
        assertThat(announced.amount()).isEqualByComparingTo("13.00");
        assertThat(announced.activityType()).isEqualTo("JNLC");
    }

    @Test
    void an_activity_posted_back_dated_behind_the_newest_seen_is_announced() {
        var newest = sim.deposit(account, "21.00");
        announcedOnce(newest.get("id").asText());
        Instant newestAt = Instant.parse(newest.get("created_at").asText());

        String backDated = sim.deposit(account, "22.00", newestAt.minusMillis(500), null, null).get("id").asText();

        assertThat(backDated).isLessThan(newest.get("id").asText());
        assertThat(announcedOnce(backDated).amount()).isEqualByComparingTo("22.00");
    }

    @Test
    void an_activity_stamped_at_the_start_of_the_day_the_account_came_under_management_is_announced() {
        Instant managedSince = QuarkusTransaction.requiringNew().call(() ->
                AccountEntity.<AccountEntity>findById(account).createdAt);
        ZoneId newYork = ZoneId.of("America/New_York");
        Instant startOfThatDay = managedSince.atZone(newYork).toLocalDate().atStartOfDay(newYork).toInstant();

        String early = sim.deposit(account, "31.00", startOfThatDay, null, null).get("id").asText();

        assertThat(startOfThatDay).isBefore(managedSince);
        assertThat(announcedOnce(early).amount()).isEqualByComparingTo("31.00");
    }

    @Test
    void a_deposit_canceled_or_corrected_after_it_was_announced_raises_an_alert_and_is_not_announced_again() {
        String canceled = depositNow("41.00");
        String corrected = depositNow("42.00");
        announcedOnce(canceled);
        announcedOnce(corrected);

        sim.activityStatus(account, canceled, "canceled");
        sim.activityStatus(account, corrected, "correct");

        Alert cancelAlert = EventJson.read(alerts.await(r -> r.value().contains(canceled), 1).get(0).value(),
                Alert.class);
        assertThat(cancelAlert.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(cancelAlert.accountId()).isEqualTo(account);
        assertThat(cancelAlert.title()).isEqualTo("Deposit canceled after it was invested");
        Alert correctAlert = EventJson.read(alerts.await(r -> r.value().contains(corrected), 1).get(0).value(),
                Alert.class);
        assertThat(correctAlert.title()).isEqualTo("Deposit corrected by Alpaca");
        Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() ->
                deposits.records(r -> r.value().contains(canceled)).size() == 1
                        && deposits.records(r -> r.value().contains(corrected)).size() == 1
                        && alerts.records(r -> r.value().contains(canceled)).size() == 1);
    }
}
