package dev.rebalancer.drift.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.PortfolioStatus;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.rules.drift.CalendarSchedule;
import dev.rebalancer.rules.drift.DriftRules;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * Under exactly-once, a task whose transaction aborted is initialized again over stores rolled back to the last commit,
 * and replays the records since. The processor must produce again what the aborted transaction produced: nothing it
 * remembers may outlive the stores' transaction.
 */
class RulesProcessorRevivalTest {

    private final DriftRules rules = new DriftRules(new DriftRules.Settings(new BigDecimal("10"),
            ZoneId.of("America/New_York"), new CalendarSchedule(Set.of()), Duration.ofHours(24)));

    @Test
    void a_deposit_replayed_after_an_aborted_transaction_is_invested_again() {
        Processor<String, String, String, String> processor = DriftTopology.rulesProcessor(rules, Duration.ofMinutes(1),
                Duration.ZERO);
        MockProcessorContext<String, String> context = context();
        processor.init(context);
        String target = EventJson.write(DriftTopologyTest.target("sub-1", DriftTopologyTest.SIXTY_FORTY, List.of(), 0,
                PortfolioStatus.ACTIVE, DriftTopologyTest.MONDAY_10AM));
        String deposit = EventJson.write(new CashDeposit("activity-1", DriftTopologyTest.ACCOUNT,
                DriftTopologyTest.MONDAY_10AM, "CSD", new BigDecimal("1000"), "USD"));
        process(processor, context, Topics.TARGETS, target);
        process(processor, context, Topics.CASH_DEPOSITS, deposit);
        assertThat(investCash(context)).as("before the abort").hasSize(1);

        // The transaction aborts: the stores are as at the last commit (before both records), the task is initialized
        // again, and the records are processed again.
        MockProcessorContext<String, String> revived = context();
        processor.init(revived);
        process(processor, revived, Topics.TARGETS, target);
        process(processor, revived, Topics.CASH_DEPOSITS, deposit);

        assertThat(investCash(revived)).as("after the replay").singleElement()
                .satisfies(request -> assertThat(request.amount()).isEqualByComparingTo("1000"));
    }

    /** A context with the processor's two stores, empty: as the last commit left them. */
    private static MockProcessorContext<String, String> context() {
        MockProcessorContext<String, String> context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(DriftTopologyTest.MONDAY_10AM.toEpochMilli());
        for (String name : List.of(DriftTopology.STORE, DriftTopology.POSITIONS_STORE)) {
            KeyValueStore<String, String> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
                    Serdes.String(), Serdes.String()).withLoggingDisabled().build();
            store.init(context.getStateStoreContext(), store);
            context.addStateStore(store);
        }
        return context;
    }

    private static void process(Processor<String, String, String, String> processor,
            MockProcessorContext<String, String> context, String topic, String value) {
        context.setRecordMetadata(topic, 0, 0);
        processor.process(new Record<>(DriftTopologyTest.ACCOUNT, value,
                DriftTopologyTest.MONDAY_10AM.toEpochMilli()));
    }

    private static List<RebalanceRequest> investCash(MockProcessorContext<String, String> context) {
        return context.forwarded().stream()
                .filter(f -> f.childName().map(DriftTopology.REQUESTS_SINK::equals).orElse(false))
                .map(f -> EventJson.read(f.record().value(), RebalanceRequest.class))
                .filter(r -> r.type() == RunType.INVEST_CASH).toList();
    }
}
