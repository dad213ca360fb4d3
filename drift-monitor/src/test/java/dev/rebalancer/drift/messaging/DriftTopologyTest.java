package dev.rebalancer.drift.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.ConditionSubType;
import dev.rebalancer.contracts.ConditionType;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.MarketCalendar;
import dev.rebalancer.contracts.InitiatedFrom;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.PortfolioStatus;
import dev.rebalancer.contracts.Position;
import dev.rebalancer.contracts.PositionSnapshot;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.RebalanceDeferred;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.Strategies;
import dev.rebalancer.contracts.VolatilityFilter;
import dev.rebalancer.contracts.VolatilityReading;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.contracts.WeightDrift;
import dev.rebalancer.rules.drift.CalendarSchedule;
import dev.rebalancer.rules.drift.DriftRules;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every rule of the drift monitor and its edges, through the real topology on Kafka's test driver. */
class DriftTopologyTest {

    static final String ACCOUNT = "b8d6e4f2-1a3c-4e5f-8a7b-9c0d1e2f3a4b";
    /** Monday 23 November 2026, 10:00 in New York. */
    static final Instant MONDAY_10AM = Instant.parse("2026-11-23T15:00:00Z");
    static final RebalanceCondition ABSOLUTE_5 = new RebalanceCondition(ConditionType.DRIFT_BAND,
            ConditionSubType.ABSOLUTE, new BigDecimal("5"), null);
    static final List<Weight> SIXTY_FORTY = List.of(Weight.asset("SPY", "60"), Weight.asset("TLT", "40"));

    private TopologyTestDriver driver;
    private TestInputTopic<String, String> targets;
    private TestInputTopic<String, String> positions;
    private TestInputTopic<String, String> deposits;
    private TestInputTopic<String, String> runs;
    private TestOutputTopic<String, String> requests;
    private Instant now;
    /** What the topology dead-lettered from the calendar topic: value, why, alert event id. */
    private final List<List<String>> calendarDeadLetters = new ArrayList<>();

    private void start(Instant wallClock, Set<java.time.LocalDate> holidays) {
        now = wallClock;
        DriftRules rules = new DriftRules(new DriftRules.Settings(new BigDecimal("10"), ZoneId.of("America/New_York"),
                new CalendarSchedule(holidays), Duration.ofHours(24)));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "drift-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(DriftTopology.build(rules, Duration.ofMinutes(1),
                (topic, record, why, alertEventId) -> calendarDeadLetters.add(List.of(record.value(), why, alertEventId, topic))),
                props, wallClock);
        targets = driver.createInputTopic(Topics.TARGETS, new StringSerializer(), new StringSerializer());
        positions = driver.createInputTopic(Topics.POSITIONS, new StringSerializer(), new StringSerializer());
        deposits = driver.createInputTopic(Topics.CASH_DEPOSITS, new StringSerializer(), new StringSerializer());
        runs = driver.createInputTopic(Topics.RUNS, new StringSerializer(), new StringSerializer());
        requests = driver.createOutputTopic(Topics.REBALANCE_REQUESTS, new StringDeserializer(), new StringDeserializer());
    }

    private void start() {
        start(MONDAY_10AM, Set.of());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private void advance(Duration duration) {
        now = now.plus(duration);
        driver.advanceWallClockTime(duration);
    }

    private List<RebalanceRequest> requested() {
        List<RebalanceRequest> out = new ArrayList<>();
        requests.readValuesToList().forEach(v -> out.add(EventJson.read(v, RebalanceRequest.class)));
        return out;
    }

    static TargetAllocation target(String subscription, List<Weight> weights, List<RebalanceCondition> conditions,
            int cooldownDays, PortfolioStatus status, Instant updatedAt) {
        return new TargetAllocation(UUID.randomUUID().toString(), ACCOUNT, updatedAt, subscription, "portfolio-1", status,
                weights, conditions, cooldownDays, null, updatedAt);
    }

    private void subscribe(List<Weight> weights, List<RebalanceCondition> conditions, int cooldownDays) {
        targets.pipeInput(ACCOUNT, EventJson.write(target("sub-1", weights, conditions, cooldownDays,
                PortfolioStatus.ACTIVE, MONDAY_10AM)));
    }

    private void positions(String equity, String cash, String... symbolValues) {
        List<Position> held = new ArrayList<>();
        for (int i = 0; i < symbolValues.length; i += 2) {
            BigDecimal value = new BigDecimal(symbolValues[i + 1]);
            held.add(new Position(symbolValues[i], BigDecimal.ONE, value, value));
        }
        positions.pipeInput(ACCOUNT, EventJson.write(new PositionSnapshot(UUID.randomUUID().toString(), ACCOUNT, now,
                new BigDecimal(equity), new BigDecimal(cash), new BigDecimal(cash), held)));
    }

    /** A run's event; one that completed sent an order (a rebalance that traded). */
    private void run(String runId, RunType type, RunStatus status) {
        run(runId, type, status, status.isFinal());
    }

    private void run(String runId, RunType type, RunStatus status, boolean traded) {
        List<RunOrder> orders = traded ? List.of(new RunOrder("order-" + runId, "rb-" + runId + "-b-SPY", "SPY",
                OrderSide.BUY, null, new BigDecimal("100.00"), BigDecimal.ONE, new BigDecimal("100"), "filled", now, now,
                null, null, now, now, null, null, null, null)) : List.of();
        runs.pipeInput(ACCOUNT, EventJson.write(new RunEvent(UUID.randomUUID().toString(), ACCOUNT, now, runId,
                "r:" + runId, "portfolio-1", type, null, InitiatedFrom.SYSTEM, Trigger.DRIFT_BAND, status, null, null,
                false, SIXTY_FORTY, orders, List.of(), List.of(), now, now, status.isFinal() ? now : null, null)));
    }

    private void deposit(String activityId, String amount) {
        deposits.pipeInput(ACCOUNT, EventJson.write(new CashDeposit(activityId, ACCOUNT, now, "CSD",
                new BigDecimal(amount), "USD")));
    }

    /** A subscribed account whose first rebalance is done, on the next trading day: ready for drift to count. */
    private void settled(List<Weight> weights, int cooldownDays, String equity, String cash, String... holdings) {
        subscribe(weights, List.of(ABSOLUTE_5), cooldownDays);
        positions(equity, cash, holdings);
        RebalanceRequest first = requested().get(0);
        run(first.runId(), RunType.FULL_REBALANCE, RunStatus.COMPLETED_SUCCESS);
        advance(Duration.ofDays(Math.max(1, cooldownDays)));
        requested();
    }

    @Test
    void a_new_subscription_is_rebalanced_once_its_positions_are_known() {
        start();
        subscribe(SIXTY_FORTY, List.of(ABSOLUTE_5), 0);
        assertThat(requested()).as("no positions yet").isEmpty();

        positions("10000", "10000");

        assertThat(requested()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(RunType.FULL_REBALANCE);
            assertThat(r.trigger()).isEqualTo(Trigger.SUBSCRIPTION_CREATED);
            assertThat(r.requestId()).isEqualTo("subscription:sub-1");
            assertThat(r.runId()).isEqualTo(RebalanceRequest.runIdFor("subscription:sub-1"));
            assertThat(r.weights()).isEqualTo(SIXTY_FORTY);
            assertThat(r.initiatedFrom()).isEqualTo(InitiatedFrom.SYSTEM);
        });
    }

    /** The executor plans with the portfolio's bands and opt-in strategies: each request carries them. */
    @Test
    void a_request_carries_the_portfolios_bands_and_strategies_to_the_executor() {
        start();
        dev.rebalancer.contracts.Strategies toEdge = new dev.rebalancer.contracts.Strategies(
                new dev.rebalancer.contracts.TradeCosts(new BigDecimal("25"), null, null, null, null, null,
                        dev.rebalancer.contracts.TradeCosts.RebalanceTo.BAND_EDGE));
        targets.pipeInput(ACCOUNT, EventJson.write(new TargetAllocation(UUID.randomUUID().toString(), ACCOUNT,
                MONDAY_10AM, "sub-1", "portfolio-1", PortfolioStatus.ACTIVE, SIXTY_FORTY, List.of(ABSOLUTE_5), 0, null,
                MONDAY_10AM, toEdge)));

        positions("10000", "10000");

        assertThat(requested()).singleElement().satisfies(r -> {
            assertThat(r.rebalanceConditions()).containsExactly(ABSOLUTE_5);
            assertThat(r.strategies()).isEqualTo(toEdge);
        });
    }

    /**
     * With tax-loss harvesting on, a position with a substitute past its loss threshold (at Alpaca's cost basis) asks
     * for a harvest, once a trading day; one under it, or without a substitute, asks nothing.
     */
    @Test
    void a_position_past_its_loss_threshold_asks_for_a_harvest_once_a_day() {
        start();
        List<Weight> vooBnd = List.of(Weight.asset("VOO", "60"), Weight.asset("BND", "40"));
        targets.pipeInput(ACCOUNT, EventJson.write(new TargetAllocation(UUID.randomUUID().toString(), ACCOUNT,
                MONDAY_10AM, "sub-1", "portfolio-1", PortfolioStatus.ACTIVE, vooBnd, List.of(ABSOLUTE_5), 0, null,
                MONDAY_10AM, new dev.rebalancer.contracts.Strategies(null,
                        dev.rebalancer.contracts.TaxLossHarvesting.defaults()))));
        snapshot("VOO", "6000", "6000", "BND", "4000", "4000");
        RebalanceRequest first = requested().get(0);
        run(first.runId(), RunType.FULL_REBALANCE, RunStatus.COMPLETED_SUCCESS);
        advance(Duration.ofDays(1));
        requested();

        // VOO's $6,000 is worth $5,760 (-4 %): under 5 %. BND lost 10 %, but has no substitute.
        snapshot("VOO", "5760", "6000", "BND", "3600", "4000");
        assertThat(requested()).as("nothing past the threshold with a substitute").isEmpty();

        // VOO at $5,640: a $360 loss, 6 %; inside its band (5,640 of 9,240: 61 %).
        snapshot("VOO", "5640", "6000", "BND", "3600", "4000");
        List<RebalanceRequest> harvests = requested();
        lastHarvest = harvests.get(0);
        assertThat(harvests).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(RunType.TAX_LOSS_HARVEST);
            assertThat(r.trigger()).isEqualTo(Trigger.TAX_LOSS);
            assertThat(r.requestId()).isEqualTo("harvest:" + ACCOUNT + ":2026-11-24");
            assertThat(r.amount()).isNull();
            assertThat(r.evidence().description()).isEqualTo(
                    "VOO at a $360.00 loss (6.0 % of its cost): past the 5 % harvesting threshold");
            assertThat(r.strategies().taxLossHarvesting()).isNotNull();
        });

        snapshot("VOO", "5600", "6000", "BND", "3600", "4000");
        assertThat(requested()).as("once a day").isEmpty();

        // Harvested: VOO sold, VTI bought. VTI counts toward VOO's 60 %: no position outside the targets, no breach.
        RebalanceRequest harvest = lastHarvest;
        advance(Duration.ofMinutes(1));
        run(harvest.runId(), RunType.TAX_LOSS_HARVEST, RunStatus.COMPLETED_SUCCESS);
        advance(Duration.ofDays(1));
        snapshot("VTI", "5640", "5640", "BND", "3600", "4000");
        assertThat(requested()).as("the substitute is no drift").isEmpty();
    }

    private RebalanceRequest lastHarvest;

    /** A snapshot of positions given as symbol, market value, cost basis (one share each). */
    private void snapshot(String... symbolValueCost) {
        List<Position> held = new ArrayList<>();
        BigDecimal equity = BigDecimal.ZERO;
        for (int i = 0; i < symbolValueCost.length; i += 3) {
            BigDecimal value = new BigDecimal(symbolValueCost[i + 1]);
            held.add(new Position(symbolValueCost[i], BigDecimal.ONE, value, value,
                    new BigDecimal(symbolValueCost[i + 2])));
            equity = equity.add(value);
        }
        positions.pipeInput(ACCOUNT, EventJson.write(new PositionSnapshot(UUID.randomUUID().toString(), ACCOUNT, now,
                equity, BigDecimal.ZERO, BigDecimal.ZERO, held)));
    }

    @Test
    void a_breach_requests_a_full_rebalance_with_its_evidence() {
        start();
        settled(SIXTY_FORTY, 0, "10000", "0", "SPY", "6000", "TLT", "4000");

        positions("10000", "0", "SPY", "6600", "TLT", "3400");

        RebalanceRequest request = requested().get(0);
        assertThat(request.trigger()).isEqualTo(Trigger.DRIFT_BAND);
        assertThat(request.requestId()).isEqualTo("drift:" + ACCOUNT + ":2026-11-24");
        assertThat(request.evidence().drifts()).extracting(WeightDrift::symbol).containsExactly("SPY", "TLT");
        assertThat(request.evidence().drifts().get(0).currentPercent()).isEqualByComparingTo("66");
        assertThat(request.evidence().drifts().get(0).targetPercent()).isEqualByComparingTo("60");
        assertThat(request.evidence().drifts().get(0).bandPercent()).isEqualByComparingTo("5");
        assertThat(request.evidence().description()).contains("SPY at 66%");
    }

    @Test
    void exactly_on_the_band_edge_is_no_breach() {
        start();
        settled(SIXTY_FORTY, 0, "10000", "0", "SPY", "6000", "TLT", "4000");

        positions("10000", "0", "SPY", "6500", "TLT", "3500");
        assertThat(requested()).isEmpty();

        positions("10000", "0", "SPY", "6500.01", "TLT", "3499.99");
        assertThat(requested()).hasSize(1);
    }

    @Test
    void a_position_outside_the_targets_breaches_with_target_zero() {
        start();
        settled(List.of(Weight.asset("SPY", "100")), 0, "10000", "0", "SPY", "10000");

        positions("10000", "0", "SPY", "9400", "GLD", "600");

        assertThat(requested()).singleElement().satisfies(r -> assertThat(r.evidence().drifts())
                .extracting(WeightDrift::symbol).contains("GLD"));
    }

    @Test
    void an_empty_portfolio_requests_nothing() {
        start();
        subscribe(List.of(), List.of(ABSOLUTE_5), 0);
        positions("10000", "0", "SPY", "10000");
        deposit("20261123093000000::a", "500");

        assertThat(requested()).isEmpty();
    }

    @Test
    void a_cash_only_portfolio_sells_what_the_account_holds() {
        start();
        settled(List.of(Weight.cash("100")), 0, "10000", "10000");

        positions("10000", "9000", "SPY", "1000");

        assertThat(requested()).singleElement().satisfies(r -> {
            assertThat(r.trigger()).isEqualTo(Trigger.DRIFT_BAND);
            assertThat(r.evidence().drifts()).extracting(WeightDrift::symbol).contains("SPY");
        });
    }

    @Test
    void a_deposit_is_invested_at_once_for_its_amount_and_a_replay_is_not() {
        start();
        settled(SIXTY_FORTY, 30, "10000", "0", "SPY", "6000", "TLT", "4000");

        deposit("20261124093000123::dep-1", "1000.00");
        deposit("20261124093000123::dep-1", "1000.00");
        deposit("20261124093000456::small", "9.99");

        assertThat(requested()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(RunType.INVEST_CASH);
            assertThat(r.amount()).isEqualByComparingTo("1000.00");
            assertThat(r.trigger()).isEqualTo(Trigger.CASH_DEPOSIT);
            assertThat(r.requestId()).isEqualTo("deposit:20261124093000123::dep-1");
            assertThat(r.eventId()).isEqualTo("request:deposit:20261124093000123::dep-1");
        });
    }

    @Test
    void a_deposit_during_an_unfinished_run_is_still_requested_for_the_executor_to_queue() {
        start();
        settled(SIXTY_FORTY, 0, "10000", "0", "SPY", "6000", "TLT", "4000");
        run("run-in-flight", RunType.FULL_REBALANCE, RunStatus.IN_PROGRESS);

        deposit("20261124093000123::dep-2", "250");

        assertThat(requested()).singleElement().extracting(RebalanceRequest::type).isEqualTo(RunType.INVEST_CASH);
    }

    @Test
    void no_full_rebalance_while_a_run_is_unfinished_and_one_once_it_ends() {
        start();
        settled(SIXTY_FORTY, 0, "10000", "0", "SPY", "6000", "TLT", "4000");
        run("run-in-flight", RunType.INVEST_CASH, RunStatus.IN_PROGRESS);

        positions("10000", "0", "SPY", "7000", "TLT", "3000");
        assertThat(requested()).isEmpty();

        advance(Duration.ofMinutes(1));
        run("run-in-flight", RunType.INVEST_CASH, RunStatus.COMPLETED_SUCCESS);
        assertThat(requested()).as("the snapshot shows the account before the run's buys").isEmpty();
        positions("10000", "0", "SPY", "7000", "TLT", "3000");
        assertThat(requested()).singleElement().extracting(RebalanceRequest::trigger).isEqualTo(Trigger.DRIFT_BAND);
    }

    @Test
    void a_full_rebalance_that_traded_nothing_and_an_invest_cash_restart_no_cooldown() {
        start();
        settled(SIXTY_FORTY, 3, "10000", "0", "SPY", "6000", "TLT", "4000");
        run("nothing-to-do", RunType.FULL_REBALANCE, RunStatus.COMPLETED_SUCCESS, false);
        run("deposit", RunType.INVEST_CASH, RunStatus.COMPLETED_SUCCESS, true);

        advance(Duration.ofDays(1));
        positions("10000", "0", "SPY", "7000", "TLT", "3000");

        assertThat(requested()).as("the cooldown counts from the last rebalance that traded, three days ago")
                .singleElement().extracting(RebalanceRequest::trigger).isEqualTo(Trigger.DRIFT_BAND);
    }

    @Test
    void at_most_one_automatic_request_per_trading_day() {
        start();
        settled(SIXTY_FORTY, 0, "10000", "0", "SPY", "6000", "TLT", "4000");
        positions("10000", "0", "SPY", "7000", "TLT", "3000");
        RebalanceRequest first = requested().get(0);
        run(first.runId(), RunType.FULL_REBALANCE, RunStatus.COMPLETED_SUCCESS);

        positions("10000", "0", "SPY", "7000", "TLT", "3000");
        assertThat(requested()).as("same day").isEmpty();

        advance(Duration.ofDays(1));
        positions("10000", "0", "SPY", "7000", "TLT", "3000");
        assertThat(requested()).as("next trading day").hasSize(1);
    }

    @Test
    void the_cooldown_counts_calendar_days_from_the_last_completed_full_rebalance() {
        start(Instant.parse("2026-11-03T15:00:00Z"), Set.of());
        subscribe(SIXTY_FORTY, List.of(ABSOLUTE_5), 7);
        positions("10000", "10000");
        run(requested().get(0).runId(), RunType.FULL_REBALANCE, RunStatus.COMPLETED_SUCCESS);

        advance(Duration.ofDays(6));
        positions("10000", "0", "SPY", "7000", "TLT", "3000");
        assertThat(requested()).as("Monday 9 November: six days on").isEmpty();

        advance(Duration.ofDays(1));
        positions("10000", "0", "SPY", "7000", "TLT", "3000");
        assertThat(requested()).as("Tuesday 10 November: seven days on").hasSize(1);
    }

    @Test
    void nothing_automatic_on_a_weekend() {
        start(Instant.parse("2026-11-28T15:00:00Z"), Set.of());
        subscribe(SIXTY_FORTY, List.of(ABSOLUTE_5), 0);
        positions("10000", "10000");
        assertThat(requested()).isEmpty();

        advance(Duration.ofDays(2));
        assertThat(requested()).as("the punctuator on Monday").singleElement()
                .extracting(RebalanceRequest::trigger).isEqualTo(Trigger.SUBSCRIPTION_CREATED);
    }

    /**
     * The market's own calendar, as portfolio-service publishes it, decides the trading days: Alpaca's calendar
     * lists no session on Monday 30 November (a holiday in this calendar), so a monthly condition on the 30th falls
     * on Friday the 27th — where counting weekdays alone would have waited for Monday.
     */
    @Test
    void the_published_market_calendar_decides_the_trading_day_a_calendar_condition_falls_back_to() {
        start(Instant.parse("2026-11-24T15:00:00Z"), Set.of());
        TestInputTopic<String, String> calendar = driver.createInputTopic(Topics.CALENDAR, new StringSerializer(),
                new StringSerializer());
        List<MarketCalendar.TradingDay> days = new ArrayList<>();
        for (java.time.LocalDate day = java.time.LocalDate.parse("2026-11-01");
                day.isBefore(java.time.LocalDate.parse("2027-01-01")); day = day.plusDays(1)) {
            boolean weekend = day.getDayOfWeek().getValue() >= 6;
            if (!weekend && !day.equals(java.time.LocalDate.parse("2026-11-26"))
                    && !day.equals(java.time.LocalDate.parse("2026-11-30"))) {
                days.add(new MarketCalendar.TradingDay(day, java.time.LocalTime.of(9, 30),
                        java.time.LocalTime.of(16, 0)));
            }
        }
        calendar.pipeInput(MarketCalendar.KEY, EventJson.write(new MarketCalendar("calendar-1", now,
                java.time.LocalDate.parse("2026-11-01"), java.time.LocalDate.parse("2026-12-31"), days)));
        RebalanceCondition monthlyOn30th = new RebalanceCondition(ConditionType.CALENDAR, ConditionSubType.MONTHLY,
                null, "30");
        targets.pipeInput(ACCOUNT, EventJson.write(target("sub-1", SIXTY_FORTY, List.of(monthlyOn30th), 0,
                PortfolioStatus.ACTIVE, now)));
        positions("10000", "0", "SPY", "6000", "TLT", "4000");
        run(requested().get(0).runId(), RunType.FULL_REBALANCE, RunStatus.COMPLETED_SUCCESS);

        advance(Duration.ofDays(2));
        assertThat(requested()).as("Thursday 26 November, no session").isEmpty();
        advance(Duration.ofDays(1));
        assertThat(requested()).as("Friday 27 November").singleElement().satisfies(r -> {
            assertThat(r.trigger()).isEqualTo(Trigger.CALENDAR);
            assertThat(r.requestId()).isEqualTo("calendar:" + ACCOUNT + ":2026-11-27");
        });
        advance(Duration.ofDays(3));
        assertThat(requested()).as("Monday 30 November, no session").isEmpty();
    }

    /**
     * An unreadable market calendar is dead-lettered with an alert, not only logged (found by the soak, seed 1, 30 min:
     * the poison message on the calendar topic was in no dead-letter topic). The alert's event id is the record's own,
     * the same in every instance that reads it, so the notifier tells it once.
     */
    @Test
    void an_unreadable_market_calendar_is_dead_lettered_with_an_alert_id_of_its_own() {
        start();
        TestInputTopic<String, String> calendar = driver.createInputTopic(Topics.CALENDAR, new StringSerializer(),
                new StringSerializer());

        calendar.pipeInput(MarketCalendar.KEY, "{\"chaos_poison\": unreadable");

        assertThat(calendarDeadLetters).singleElement().satisfies(dead -> {
            assertThat(dead.get(0)).isEqualTo("{\"chaos_poison\": unreadable");
            assertThat(dead.get(1)).contains("MarketCalendar");
            assertThat(dead.get(2)).isEqualTo(java.util.UUID.nameUUIDFromBytes(("dead-letter:" + Topics.CALENDAR
                    + "-0@0").getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString());
        });
    }

    @Test
    void a_calendar_condition_falls_on_the_trading_day_before_a_first_that_is_a_sunday() {
        start(Instant.parse("2026-10-27T15:00:00Z"), Set.of());
        RebalanceCondition monthlyOnFirst = new RebalanceCondition(ConditionType.CALENDAR, ConditionSubType.MONTHLY,
                null, "1");
        targets.pipeInput(ACCOUNT, EventJson.write(target("sub-1", SIXTY_FORTY, List.of(monthlyOnFirst), 0,
                PortfolioStatus.ACTIVE, now)));
        positions("10000", "0", "SPY", "6000", "TLT", "4000");
        run(requested().get(0).runId(), RunType.FULL_REBALANCE, RunStatus.COMPLETED_SUCCESS);

        advance(Duration.ofDays(2));
        assertThat(requested()).as("Thursday 29 October").isEmpty();

        advance(Duration.ofDays(1));
        assertThat(requested()).as("Friday 30 October").singleElement().satisfies(r -> {
            assertThat(r.trigger()).isEqualTo(Trigger.CALENDAR);
            assertThat(r.requestId()).isEqualTo("calendar:" + ACCOUNT + ":2026-10-30");
        });
        advance(Duration.ofMinutes(5));
        assertThat(requested()).as("once that day").isEmpty();
    }

    @Test
    void with_on_portfolio_update_changed_weights_request_a_rebalance_once_the_cooldown_allows() {
        start();
        settled(SIXTY_FORTY, 3, "10000", "0", "SPY", "6000", "TLT", "4000");
        // Three days on the cooldown has just ended; start a new one with a completed full rebalance today.
        run("today", RunType.FULL_REBALANCE, RunStatus.IN_PROGRESS);
        run("today", RunType.FULL_REBALANCE, RunStatus.COMPLETED_SUCCESS);
        positions("10000", "0", "SPY", "6000", "TLT", "4000"); // the snapshot portfolio-service takes after every run
        requested();

        targets.pipeInput(ACCOUNT, EventJson.write(target("sub-1", List.of(Weight.asset("SPY", "100")),
                List.of(ABSOLUTE_5, ON_UPDATE), 3, PortfolioStatus.ACTIVE, now)));
        assertThat(requested()).as("in the cooldown").isEmpty();

        advance(Duration.ofDays(3));
        assertThat(requested()).as("Sunday: the cooldown is over, but it is no trading day").isEmpty();
        advance(Duration.ofDays(1));
        assertThat(requested()).as("the punctuator on Monday").singleElement().satisfies(r -> {
            assertThat(r.trigger()).isEqualTo(Trigger.PORTFOLIO_UPDATE);
            assertThat(r.weights()).containsExactly(Weight.asset("SPY", "100"));
        });
    }

    static final RebalanceCondition ON_UPDATE = new RebalanceCondition(ConditionType.ON_PORTFOLIO_UPDATE, null, null,
            null);

    /** Without on_portfolio_update a change is no reason to trade: drift is judged against the new weights and bands. */
    @Test
    void without_on_portfolio_update_a_change_only_moves_the_targets_drift_is_judged_against() {
        start();
        settled(SIXTY_FORTY, 0, "10000", "0", "SPY", "6000", "TLT", "4000");

        List<Weight> sixtyOneThirtyNine = List.of(Weight.asset("SPY", "61"), Weight.asset("TLT", "39"));
        targets.pipeInput(ACCOUNT, EventJson.write(target("sub-1", sixtyOneThirtyNine, List.of(ABSOLUTE_5), 0,
                PortfolioStatus.ACTIVE, now)));
        assertThat(requested()).as("new weights, the account inside their bands").isEmpty();

        RebalanceCondition absoluteHalf = new RebalanceCondition(ConditionType.DRIFT_BAND, ConditionSubType.ABSOLUTE,
                new BigDecimal("0.5"), null);
        targets.pipeInput(ACCOUNT, EventJson.write(target("sub-1", sixtyOneThirtyNine, List.of(absoluteHalf), 0,
                PortfolioStatus.ACTIVE, now.plusSeconds(1))));
        assertThat(requested()).as("SPY 1 point under its target, past the new ±0.5 band").singleElement()
                .satisfies(r -> {
                    assertThat(r.trigger()).isEqualTo(Trigger.DRIFT_BAND);
                    assertThat(r.weights()).isEqualTo(sixtyOneThirtyNine);
                });
    }

    /** With on_portfolio_update, a change of the conditions alone is followed by a rebalance too. */
    @Test
    void with_on_portfolio_update_a_change_of_conditions_alone_requests_a_rebalance() {
        start();
        settled(SIXTY_FORTY, 0, "10000", "0", "SPY", "6000", "TLT", "4000");
        targets.pipeInput(ACCOUNT, EventJson.write(target("sub-1", SIXTY_FORTY, List.of(ABSOLUTE_5, ON_UPDATE), 0,
                PortfolioStatus.ACTIVE, now)));

        assertThat(requested()).singleElement().satisfies(r -> {
            assertThat(r.trigger()).isEqualTo(Trigger.PORTFOLIO_UPDATE);
            assertThat(r.requestId()).startsWith("portfolio-update:sub-1:");
        });
    }

    /**
     * As at Alpaca, a portfolio that needs adjustment (an asset delisted) queues nothing; deposits that come
     * meanwhile are held, and invested once the portfolio is active again — each once.
     */
    @Test
    void deposits_held_while_the_portfolio_needs_adjustment_are_invested_once_it_is_active_again() {
        start();
        settled(SIXTY_FORTY, 0, "10000", "0", "SPY", "6000", "TLT", "4000");
        targets.pipeInput(ACCOUNT, EventJson.write(target("sub-1", SIXTY_FORTY, List.of(ABSOLUTE_5), 0,
                PortfolioStatus.NEEDS_ADJUSTMENT, now)));

        deposit("20261124093000000::held-1", "500");
        deposit("20261124093100000::held-2", "250");
        deposit("20261124093100000::held-2", "250");
        assertThat(requested()).as("nothing while the portfolio needs adjustment").isEmpty();

        List<Weight> fixed = List.of(Weight.asset("SPY", "60"), Weight.asset("BND", "40"));
        targets.pipeInput(ACCOUNT, EventJson.write(target("sub-1", fixed, List.of(ABSOLUTE_5), 0,
                PortfolioStatus.ACTIVE, now.plusSeconds(60))));

        List<RebalanceRequest> released = requested();
        assertThat(released).filteredOn(r -> r.type() == RunType.INVEST_CASH)
                .extracting(RebalanceRequest::requestId, r -> r.amount().toPlainString())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("deposit:20261124093000000::held-1", "500"),
                        org.assertj.core.groups.Tuple.tuple("deposit:20261124093100000::held-2", "250"));
        assertThat(released).filteredOn(r -> r.type() == RunType.INVEST_CASH)
                .allSatisfy(r -> assertThat(r.weights()).isEqualTo(fixed));
        deposit("20261124093000000::held-1", "500");
        targets.pipeInput(ACCOUNT, EventJson.write(target("sub-1", fixed, List.of(ABSOLUTE_5), 0,
                PortfolioStatus.ACTIVE, now.plusSeconds(120))));
        assertThat(requested()).filteredOn(r -> r.type() == RunType.INVEST_CASH).as("each once").isEmpty();
    }

    @Test
    void an_inactive_portfolio_or_too_little_equity_requests_nothing() {
        start();
        targets.pipeInput(ACCOUNT, EventJson.write(target("sub-1", SIXTY_FORTY, List.of(ABSOLUTE_5), 0,
                PortfolioStatus.NEEDS_ADJUSTMENT, now)));
        positions("10000", "10000");
        deposit("20261123093000000::x", "500");
        assertThat(requested()).isEmpty();

        positions("1.99", "1.99");
        targets.pipeInput(ACCOUNT, EventJson.write(target("sub-2", SIXTY_FORTY, List.of(ABSOLUTE_5), 0,
                PortfolioStatus.ACTIVE, now)));
        assertThat(requested()).as("$1.99 for two asset weights").isEmpty();
        positions("2.00", "2.00");
        assertThat(requested()).hasSize(1);
    }

    @Test
    void an_unsubscribed_account_requests_nothing() {
        start();
        settled(SIXTY_FORTY, 0, "10000", "0", "SPY", "6000", "TLT", "4000");
        targets.pipeInput(ACCOUNT, (String) null);

        positions("10000", "0", "SPY", "9000", "TLT", "1000");
        deposit("20261124093000000::after", "500");

        assertThat(requested()).isEmpty();
    }

    @Test
    void an_unreadable_message_is_dead_lettered_with_an_alert_and_the_next_one_is_handled() {
        start();
        TestOutputTopic<String, String> deadLetters = driver.createOutputTopic(
                Topics.deadLetterOf(Topics.CASH_DEPOSITS), new StringDeserializer(), new StringDeserializer());
        TestOutputTopic<String, String> alerts = driver.createOutputTopic(Topics.ALERTS, new StringDeserializer(),
                new StringDeserializer());
        subscribe(SIXTY_FORTY, List.of(ABSOLUTE_5), 0);

        deposits.pipeInput(ACCOUNT, "{\"event_id\":\"x\",\"amount\":\"lots\"}");
        deposit("20261123093000000::good", "100");

        assertThat(deadLetters.readValuesToList()).containsExactly("{\"event_id\":\"x\",\"amount\":\"lots\"}");
        Alert alert = EventJson.read(alerts.readValue(), Alert.class);
        assertThat(alert.title()).contains(Topics.CASH_DEPOSITS);
        assertThat(alert.source()).isEqualTo("drift-monitor");
        assertThat(requested()).extracting(RebalanceRequest::type).containsExactly(RunType.INVEST_CASH);
    }

    // The volatility filter.

    static final VolatilityFilter VIX_30 = VolatilityFilter.defaults();

    private void subscribeFiltered(VolatilityFilter filter, List<RebalanceCondition> conditions) {
        targets.pipeInput(ACCOUNT, EventJson.write(new TargetAllocation(UUID.randomUUID().toString(), ACCOUNT,
                MONDAY_10AM, "sub-1", "portfolio-1", PortfolioStatus.ACTIVE, SIXTY_FORTY, conditions, 0, null,
                MONDAY_10AM, new Strategies(null, null, filter))));
    }

    private void volatility(VolatilityFilter.Source source, String value, String asOf) {
        driver.createInputTopic(Topics.VOLATILITY, new StringSerializer(), new StringSerializer()).pipeInput(
                source.key(), EventJson.write(new VolatilityReading(UUID.randomUUID().toString(), now, source,
                        new BigDecimal(value), java.time.LocalDate.parse(asOf), "test")));
    }

    private List<RebalanceDeferred> deferred() {
        return driver.createOutputTopic(Topics.DEFERRALS, new StringDeserializer(), new StringDeserializer())
                .readValuesToList().stream().map(v -> EventJson.read(v, RebalanceDeferred.class)).toList();
    }

    private List<Alert> alerted() {
        return driver.createOutputTopic(Topics.ALERTS, new StringDeserializer(), new StringDeserializer())
                .readValuesToList().stream().map(v -> EventJson.read(v, Alert.class)).toList();
    }

    /** Subscribed with the filter, the first rebalance done (no reading yet: nothing deferred), on Tuesday 24th. */
    private void settledFiltered(VolatilityFilter filter, List<RebalanceCondition> conditions) {
        subscribeFiltered(filter, conditions);
        positions("10000", "0", "SPY", "6000", "TLT", "4000");
        run(requested().get(0).runId(), RunType.FULL_REBALANCE, RunStatus.COMPLETED_SUCCESS);
        advance(Duration.ofDays(1));
        requested();
    }

    @Test
    void high_volatility_defers_a_drift_rebalance_told_once_a_day_with_its_reading_until_volatility_falls() {
        start();
        settledFiltered(VIX_30, List.of(ABSOLUTE_5));
        volatility(VolatilityFilter.Source.VIX, "34.20", "2026-11-23");

        positions("10000", "0", "SPY", "6600", "TLT", "3400");

        assertThat(requested()).as("deferred").isEmpty();
        assertThat(deferred()).singleElement().satisfies(d -> {
            assertThat(d.eventId()).isEqualTo("deferral:" + ACCOUNT + ":2026-11-24");
            assertThat(d.trigger()).isEqualTo(Trigger.DRIFT_BAND);
            assertThat(d.source()).isEqualTo(VolatilityFilter.Source.VIX);
            assertThat(d.reading()).isEqualByComparingTo("34.20");
            assertThat(d.readingAsOf()).isEqualTo(java.time.LocalDate.parse("2026-11-23"));
            assertThat(d.threshold()).isEqualByComparingTo("30");
            assertThat(d.description()).isEqualTo("drift band breached by SPY at 66% (target 60%, band ±5), "
                    + "TLT at 34% (target 40%, band ±5)");
        });
        assertThat(alerted()).singleElement().satisfies(alert -> {
            assertThat(alert.severity()).isEqualTo(dev.rebalancer.contracts.Severity.INFO);
            assertThat(alert.title()).isEqualTo("Rebalance deferred: volatility is high");
            assertThat(alert.detail()).isEqualTo("VIX closed at 34.20 on 2026-11-23, above this portfolio's "
                    + "threshold of 30: drift band breached by SPY at 66% (target 60%, band ±5), TLT at 34% (target "
                    + "40%, band ±5) — not rebalanced while it stays above. A manual run is not held back.");
        });

        positions("10000", "0", "SPY", "6700", "TLT", "3300");
        advance(Duration.ofMinutes(5));
        assertThat(requested()).isEmpty();
        assertThat(deferred()).as("told once a day").isEmpty();
        assertThat(alerted()).isEmpty();

        advance(Duration.ofDays(1));
        assertThat(requested()).as("Wednesday, still high").isEmpty();
        assertThat(deferred()).singleElement().satisfies(d -> assertThat(d.day()).hasToString("2026-11-25"));

        volatility(VolatilityFilter.Source.VIX, "30", "2026-11-24");
        advance(Duration.ofMinutes(1));
        assertThat(requested()).as("at the threshold is not above it").singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(RunType.FULL_REBALANCE);
            assertThat(r.trigger()).isEqualTo(Trigger.DRIFT_BAND);
            assertThat(r.requestId()).isEqualTo("drift:" + ACCOUNT + ":2026-11-25");
        });
        assertThat(deferred()).isEmpty();
    }

    @Test
    void a_reading_of_another_source_an_old_one_or_none_defers_nothing() {
        start();
        settledFiltered(new VolatilityFilter(VolatilityFilter.Source.SPY_REALIZED_VOL, new BigDecimal("25"), null),
                List.of(ABSOLUTE_5));
        volatility(VolatilityFilter.Source.VIX, "45", "2026-11-23");
        volatility(VolatilityFilter.Source.SPY_REALIZED_VOL, "40", "2026-11-18");

        positions("10000", "0", "SPY", "6600", "TLT", "3400");

        assertThat(requested()).as("VIX is not this portfolio's source; SPY's reading is six days old")
                .singleElement().satisfies(r -> assertThat(r.trigger()).isEqualTo(Trigger.DRIFT_BAND));
        assertThat(deferred()).isEmpty();
    }

    @Test
    void a_calendar_rebalance_deferred_runs_on_the_first_day_volatility_is_down() {
        start(Instant.parse("2026-11-24T15:00:00Z"), Set.of());
        RebalanceCondition monthlyOn25th = new RebalanceCondition(ConditionType.CALENDAR, ConditionSubType.MONTHLY,
                null, "25");
        subscribeFiltered(VIX_30, List.of(monthlyOn25th));
        positions("10000", "0", "SPY", "6000", "TLT", "4000");
        run(requested().get(0).runId(), RunType.FULL_REBALANCE, RunStatus.COMPLETED_SUCCESS);
        volatility(VolatilityFilter.Source.VIX, "41.5", "2026-11-24");

        advance(Duration.ofDays(1));
        assertThat(requested()).as("Wednesday 25th: deferred").isEmpty();
        assertThat(deferred()).singleElement().satisfies(d -> assertThat(d.trigger()).isEqualTo(Trigger.CALENDAR));

        advance(Duration.ofDays(2));
        assertThat(requested()).as("Friday 27th, still high").isEmpty();

        volatility(VolatilityFilter.Source.VIX, "24", "2026-11-27");
        advance(Duration.ofMinutes(1));
        assertThat(requested()).as("the condition fell on the 25th; it is not lost").singleElement().satisfies(r -> {
            assertThat(r.trigger()).isEqualTo(Trigger.CALENDAR);
            assertThat(r.evidence().description()).isEqualTo("monthly calendar condition (day 25) fell on 2026-11-25 "
                    + "(deferred while volatility was high)");
        });
        run(RebalanceRequest.runIdFor("calendar:" + ACCOUNT + ":2026-11-27"), RunType.FULL_REBALANCE,
                RunStatus.COMPLETED_SUCCESS);
        advance(Duration.ofDays(3));
        assertThat(requested()).as("and it runs once").isEmpty();
    }

    @Test
    void while_volatility_is_high_a_deposit_is_invested_in_parts_one_a_trading_day() {
        start(Instant.parse("2026-11-26T15:00:00Z"), Set.of());
        settledFiltered(new VolatilityFilter(null, null, 3), List.of());
        volatility(VolatilityFilter.Source.VIX, "35", "2026-11-26");

        deposit("20261127093000000::split", "1000.00");
        assertThat(requested()).as("Friday 27th").singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo(RunType.INVEST_CASH);
            assertThat(r.requestId()).isEqualTo("deposit:20261127093000000::split");
            assertThat(r.amount()).isEqualByComparingTo("333.33");
            assertThat(r.evidence().description()).isEqualTo("CSD deposit of $1000.00 (activity "
                    + "20261127093000000::split): $333.33, part 1 of 3, one a trading day while VIX 35 (close of "
                    + "2026-11-26) is above 30");
        });
        advance(Duration.ofMinutes(5));
        assertThat(requested()).isEmpty();

        volatility(VolatilityFilter.Source.VIX, "20", "2026-11-27");
        advance(Duration.ofDays(1));
        assertThat(requested()).as("Saturday").isEmpty();
        advance(Duration.ofDays(2));
        assertThat(requested()).as("Monday 30th: part 2, though volatility fell").singleElement().satisfies(r -> {
            assertThat(r.requestId()).isEqualTo("deposit-part:20261127093000000::split:2");
            assertThat(r.amount()).isEqualByComparingTo("333.33");
        });
        advance(Duration.ofDays(1));
        assertThat(requested()).as("Tuesday: the last part, what is left").singleElement()
                .satisfies(r -> assertThat(r.amount()).isEqualByComparingTo("333.34"));
        advance(Duration.ofDays(1));
        assertThat(requested()).isEmpty();

        deposit("20261202093000000::whole", "1000.00");
        assertThat(requested()).as("volatility low: invested at once").singleElement()
                .satisfies(r -> assertThat(r.amount()).isEqualByComparingTo("1000.00"));
    }

    @Test
    void an_unreadable_volatility_reading_is_dead_lettered_and_the_one_known_before_stays() {
        start();
        settledFiltered(VIX_30, List.of(ABSOLUTE_5));
        volatility(VolatilityFilter.Source.VIX, "34.20", "2026-11-23");

        driver.createInputTopic(Topics.VOLATILITY, new StringSerializer(), new StringSerializer())
                .pipeInput("vix", "{\"source\": \"vix\", \"value\": \"calm\"}");
        positions("10000", "0", "SPY", "6600", "TLT", "3400");

        assertThat(calendarDeadLetters).singleElement().satisfies(dead -> {
            assertThat(dead.get(0)).contains("calm");
            assertThat(dead.get(3)).isEqualTo(Topics.VOLATILITY);
        });
        assertThat(requested()).isEmpty();
        assertThat(deferred()).singleElement().satisfies(d -> assertThat(d.reading()).isEqualByComparingTo("34.20"));
    }
}
