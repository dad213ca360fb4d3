package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.TopicProbe;
import io.quarkus.test.junit.QuarkusTestProfile;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.awaitility.Awaitility;

/**
 * Deposits at the simulator become exactly one event each, across a restart of the service. Two test classes run in
 * two applications — Quarkus starts a new one for each test profile — against the same database, broker and
 * simulator; each deposits at the simulator and checks the whole topic: its own deposits announced once, and none of
 * the other phase's announced again. Whichever runs second proves the restart adds no duplicate.
 */
final class DepositEvents {

    private DepositEvents() {
    }

    public static class Phase1 implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("test.restart-phase", "1");
        }
    }

    public static class Phase2 implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("test.restart-phase", "2");
        }
    }

    /** Deposits the amounts and checks that each became one event and that no deposit was ever announced twice. */
    static void depositAndExpectOneEventEach(URI simulator, String bootstrap, String... amounts) {
        String accountId = Accounts.simAccountId();
        try (TopicProbe probe = new TopicProbe(bootstrap, Topics.CASH_DEPOSITS)) {
            Predicate<ConsumerRecord<String, String>> mine = r -> accountId.equals(r.key());
            int before = probe.readToEnd(mine).size();
            SimAdminClient admin = new SimAdminClient(simulator);
            List<String> ids = new ArrayList<>();
            for (String amount : amounts) {
                ids.add(admin.deposit(accountId, amount).get("id").asText());
            }

            probe.await(mine, before + amounts.length);
            Awaitility.await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                    .until(() -> probe.records(mine).size() == before + amounts.length);

            List<CashDeposit> all = probe.records(mine).stream()
                    .map(r -> EventJson.read(r.value(), CashDeposit.class)).toList();
            assertThat(all).extracting(CashDeposit::eventId).doesNotHaveDuplicates();
            List<CashDeposit> mineNow = all.subList(before, all.size());
            assertThat(mineNow).extracting(CashDeposit::eventId).containsExactlyElementsOf(ids);
            for (int i = 0; i < amounts.length; i++) {
                assertThat(mineNow.get(i).amount()).isEqualByComparingTo(new BigDecimal(amounts[i]));
                assertThat(mineNow.get(i).activityType()).isEqualTo("CSD");
                assertThat(mineNow.get(i).currency()).isEqualTo("USD");
            }
        }
    }
}
