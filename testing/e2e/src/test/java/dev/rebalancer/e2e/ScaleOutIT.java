package dev.rebalancer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.local.Http;
import dev.rebalancer.local.LocalStack;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * portfolio-service scaled out on the local stack: two instances divide the accounts' polling and the older leads;
 * one killed (SIGKILL), its accounts' deposits are still each invested once by the other; the leader killed, the
 * survivor leads.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutIT {

    /** Twelve subscribed accounts and the stack's own: an instance left without any is a chance of 1 in 4,096. */
    static final int ACCOUNTS = 12;
    static final String PORTFOLIO = """
            {"name":"scale %s","weights":[{"type":"cash","percent":"5"},
             {"type":"asset","symbol":"SPY","percent":"60"},{"type":"asset","symbol":"TLT","percent":"35"}],
             "cooldown_days":7,"rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"}]}""";
    static final String OWNED = "rebalancer_accounts_owned";
    static final String LEADER = "rebalancer_instance_leader";

    static LocalStack stack;
    static SimAdminClient sim;
    static List<String> accounts;

    @BeforeAll
    static void start() {
        Map<String, String> env = new HashMap<>(LocalStack.Settings.anyFreePorts());
        env.put("REBALANCER_LOCAL_DIR", Path.of("target/scale-out-stack").toAbsolutePath().toString());
        env.put("ALPACA_REQUESTS_PER_MINUTE", "2000");
        env.put("INSTANCES_EXPIRY", "3s");
        for (int i = 0; i < ACCOUNTS; i++) {
            env.put("REBALANCER_ACCOUNTS__SCALE" + i + "__API_KEY_ID", "scale-" + i);
        }
        stack = LocalStack.start(new LocalStack.Settings(env));
        sim = stack.simulator();
        sim.rateLimit(2_000, 60_000);
        accounts = IntStream.range(0, ACCOUNTS).mapToObj(i -> stack.simAccount("scale-" + i)).toList();
        Http api = api(stack.service("portfolio-service"));
        accounts.forEach(account -> api.subscribe(account, PORTFOLIO.formatted(account)));
        accounts.forEach(account -> assertThat(Runs.awaitFinal(api, account, "full_rebalance", r -> true)
                .get("status").asText()).isEqualTo("COMPLETED_SUCCESS"));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void two_instances_divide_the_accounts_and_a_killed_ones_deposits_are_invested_once_by_the_other() {
        ServiceProcess first = stack.service("portfolio-service");
        ServiceProcess second = stack.startInstance("portfolio-service");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            double firstOwns = Scrape.of(first.managementUrl()).sum(OWNED);
            double secondOwns = Scrape.of(second.managementUrl()).sum(OWNED);
            assertThat(firstOwns + secondOwns).isEqualTo(ACCOUNTS + 1);
            assertThat(firstOwns).isPositive();
            assertThat(secondOwns).isPositive();
        });
        assertThat(Scrape.of(first.managementUrl()).sum(LEADER)).isEqualTo(1);
        assertThat(Scrape.of(second.managementUrl()).sum(LEADER)).isEqualTo(0);

        second.kill();
        accounts.forEach(account -> sim.deposit(account, "100"));

        Http api = api(first);
        accounts.forEach(account -> assertThat(Runs.awaitFinal(api, account, "invest_cash", r -> true)
                .get("status").asText()).as(account).isEqualTo("COMPLETED_SUCCESS"));
        assertThat(Scrape.of(first.managementUrl()).sum(OWNED)).isEqualTo(ACCOUNTS + 1);
        // Once each: no deposit announced by both instances became two runs.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> accounts.stream()
                .allMatch(account -> investRuns(api, account) == 1));
    }

    @Test
    @Order(2)
    void the_leader_killed_the_other_instance_leads() {
        ServiceProcess survivor = stack.startInstance("portfolio-service");
        ServiceProcess leader = stack.service("portfolio-service");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                Scrape.of(leader.managementUrl()).sum(OWNED) + Scrape.of(survivor.managementUrl()).sum(OWNED))
                .isEqualTo(ACCOUNTS + 1));
        assertThat(Scrape.of(leader.managementUrl()).sum(LEADER)).isEqualTo(1);
        assertThat(Scrape.of(survivor.managementUrl()).sum(LEADER)).isEqualTo(0);
        Http api = api(survivor);
        Map<String, Long> before = new HashMap<>();
        accounts.forEach(account -> before.put(account, investRuns(api, account)));

        leader.kill(); // the stack starts it again, as a container's restart policy would: it comes back the younger
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(Scrape.of(survivor.managementUrl()).sum(LEADER)).isEqualTo(1));
        accounts.forEach(account -> sim.deposit(account, "50"));
        await().atMost(Runs.WITHIN).until(() -> accounts.stream()
                .allMatch(account -> investRuns(api, account) == before.get(account) + 1));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            ServiceProcess restarted = stack.service("portfolio-service");
            assertThat(restarted.pid()).isNotEqualTo(leader.pid());
            assertThat(Scrape.of(restarted.managementUrl()).sum(LEADER)).isEqualTo(0);
            assertThat(Scrape.of(survivor.managementUrl()).sum(LEADER)).isEqualTo(1);
        });
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> accounts.stream()
                .allMatch(account -> investRuns(api, account) == before.get(account) + 1));
    }

    private static long investRuns(Http api, String account) {
        JsonNode runs = api.get("/v1/rebalancing/runs?account_id=" + account + "&type=invest_cash").get("runs");
        return runs.size();
    }

    private static Http api(ServiceProcess instance) {
        return Http.api(instance.baseUrl(), stack.settings().apiKey(), stack.settings().apiSecret());
    }
}
