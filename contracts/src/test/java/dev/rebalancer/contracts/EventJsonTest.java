package dev.rebalancer.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EventJsonTest {

    /** A plain mapper, to compare documents without going through the codec under test. */
    private static final ObjectMapper PLAIN = new ObjectMapper();

    static Stream<Arguments> examples() {
        return Stream.of(
                Arguments.of("target_allocation", TargetAllocation.class),
                Arguments.of("position_snapshot", PositionSnapshot.class),
                Arguments.of("cash_deposit", CashDeposit.class),
                Arguments.of("rebalance_request", RebalanceRequest.class),
                Arguments.of("run", RunEvent.class),
                Arguments.of("alert", Alert.class),
                Arguments.of("trading_halt", TradingHalt.class),
                Arguments.of("run_cancellation", RunCancellation.class),
                Arguments.of("market_calendar", MarketCalendar.class),
                Arguments.of("volatility_reading", VolatilityReading.class),
                Arguments.of("rebalance_deferred", RebalanceDeferred.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void every_event_round_trips_through_its_example_file(String name, Class<? extends Event> type) throws IOException {
        byte[] example = example(name);

        Event event = EventJson.read(example, type);
        String written = EventJson.write(event);

        assertThat(PLAIN.readTree(written)).isEqualTo(PLAIN.readTree(example));
        assertThat(event.eventType()).isEqualTo(name);
        assertThat(EventJson.read(written, type)).isEqualTo(event);
    }

    @Test
    void the_examples_are_read_into_the_values_they_state() throws IOException {
        PositionSnapshot snapshot = EventJson.read(example("position_snapshot"), PositionSnapshot.class);
        assertThat(snapshot.equity()).isEqualTo(new BigDecimal("10250.42"));
        assertThat(snapshot.positions().get(0).qty()).isEqualTo(new BigDecimal("10.123456789"));
        assertThat(snapshot.occurredAt()).isEqualTo(Instant.parse("2026-11-23T15:00:00Z"));

        TargetAllocation target = EventJson.read(example("target_allocation"), TargetAllocation.class);
        assertThat(target.weights()).containsExactly(Weight.cash("5"), Weight.asset("SPY", "60"), Weight.asset("TLT", "35"));
        assertThat(target.rebalanceConditions()).extracting(RebalanceCondition::subType)
                .containsExactly(ConditionSubType.ABSOLUTE, ConditionSubType.RELATIVE, ConditionSubType.MONTHLY);
        assertThat(target.portfolioStatus()).isEqualTo(PortfolioStatus.ACTIVE);

        RunEvent run = EventJson.read(example("run"), RunEvent.class);
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED_ADJUSTED);
        assertThat(run.status().isFinal()).isTrue();
        assertThat(run.failedOrders()).singleElement().extracting(RunOrder::reason).isEqualTo("insufficient buying power");
        assertThat(run.skippedOrders()).singleElement().extracting(SkippedOrder::reason)
                .isEqualTo(SkippedOrder.LESS_THAN_MIN_NOTIONAL);
        assertThat(run.orders().get(0).side()).isEqualTo(OrderSide.BUY);

        RebalanceRequest request = EventJson.read(example("rebalance_request"), RebalanceRequest.class);
        assertThat(request.type()).isEqualTo(RunType.INVEST_CASH);
        assertThat(request.amount()).isEqualTo(new BigDecimal("1000.00"));
        assertThat(request.evidence().drifts()).hasSize(2);

        TradingHalt control = EventJson.read(example("trading_halt"), TradingHalt.class);
        assertThat(control.halted()).isTrue();
    }

    @Test
    void money_and_quantities_are_written_as_decimal_strings_keeping_their_scale() throws IOException {
        Position position = new Position("SPY", new BigDecimal("0.000000001"), new BigDecimal("600.10"),
                new BigDecimal("1E+3"));

        JsonNode json = PLAIN.readTree(EventJson.write(position));

        assertThat(json.get("qty").isTextual()).isTrue();
        assertThat(json.get("qty").asText()).isEqualTo("0.000000001");
        assertThat(json.get("current_price").asText()).isEqualTo("600.10");
        assertThat(json.get("market_value").asText()).isEqualTo("1000");
    }

    @Test
    void timestamps_are_read_with_any_offset_and_written_in_utc() throws IOException {
        ObjectNode json = exampleTree("cash_deposit");
        json.put("occurred_at", "2026-11-23T09:30:00.123-05:00");

        CashDeposit deposit = EventJson.read(PLAIN.writeValueAsString(json), CashDeposit.class);

        assertThat(deposit.occurredAt()).isEqualTo(Instant.parse("2026-11-23T14:30:00.123Z"));
        assertThat(PLAIN.readTree(EventJson.write(deposit)).get("occurred_at").asText())
                .isEqualTo("2026-11-23T14:30:00.123Z");
    }

    @Test
    void an_unknown_field_is_ignored() throws IOException {
        ObjectNode json = exampleTree("position_snapshot");
        json.put("added_in_v2", "whatever");
        ((ObjectNode) json.withArray("positions").get(0)).put("asset_class", "us_equity");

        PositionSnapshot snapshot = EventJson.read(PLAIN.writeValueAsString(json), PositionSnapshot.class);

        assertThat(snapshot).isEqualTo(EventJson.read(example("position_snapshot"), PositionSnapshot.class));
    }

    @Test
    void a_missing_required_field_fails_naming_the_field() throws IOException {
        ObjectNode json = exampleTree("cash_deposit");
        json.remove("amount");

        assertThatThrownBy(() -> EventJson.read(PLAIN.writeValueAsString(json), CashDeposit.class))
                .isInstanceOfSatisfying(EventFormatException.class, e -> assertThat(e.field()).isEqualTo("amount"))
                .hasMessageContaining("'amount'");
    }

    @Test
    void a_null_or_blank_required_field_counts_as_missing() throws IOException {
        ObjectNode json = exampleTree("alert");
        json.putNull("severity");
        ObjectNode blank = exampleTree("alert");
        blank.put("event_id", "  ");

        assertThatThrownBy(() -> EventJson.read(PLAIN.writeValueAsString(json), Alert.class))
                .isInstanceOfSatisfying(EventFormatException.class, e -> assertThat(e.field()).isEqualTo("severity"));
        assertThatThrownBy(() -> EventJson.read(PLAIN.writeValueAsString(blank), Alert.class))
                .isInstanceOfSatisfying(EventFormatException.class, e -> assertThat(e.field()).isEqualTo("event_id"));
    }

    @Test
    void a_missing_field_inside_a_list_is_named_with_its_path() throws IOException {
        ObjectNode json = exampleTree("position_snapshot");
        ((ObjectNode) json.withArray("positions").get(1)).remove("current_price");

        assertThatThrownBy(() -> EventJson.read(PLAIN.writeValueAsString(json), PositionSnapshot.class))
                .isInstanceOfSatisfying(EventFormatException.class,
                        e -> assertThat(e.field()).isEqualTo("positions[1].current_price"))
                .hasMessageContaining("'positions[1].current_price'");
    }

    @Test
    void a_malformed_decimal_fails_naming_the_field() throws IOException {
        ObjectNode json = exampleTree("position_snapshot");
        ((ObjectNode) json.withArray("positions").get(0)).put("qty", "10.5x");

        assertThatThrownBy(() -> EventJson.read(PLAIN.writeValueAsString(json), PositionSnapshot.class))
                .isInstanceOfSatisfying(EventFormatException.class,
                        e -> assertThat(e.field()).isEqualTo("positions[0].qty"))
                .hasMessageContaining("'positions[0].qty'");

        ObjectNode top = exampleTree("cash_deposit");
        top.put("amount", "one thousand");
        assertThatThrownBy(() -> EventJson.read(PLAIN.writeValueAsString(top), CashDeposit.class))
                .isInstanceOfSatisfying(EventFormatException.class, e -> assertThat(e.field()).isEqualTo("amount"));
    }

    @Test
    void an_unknown_enum_value_fails_naming_the_field() throws IOException {
        ObjectNode json = exampleTree("run");
        json.put("status", "HALF_DONE");

        assertThatThrownBy(() -> EventJson.read(PLAIN.writeValueAsString(json), RunEvent.class))
                .isInstanceOfSatisfying(EventFormatException.class, e -> assertThat(e.field()).isEqualTo("status"));
    }

    @Test
    void a_null_element_in_a_list_is_named_with_its_index() throws IOException {
        ObjectNode json = exampleTree("target_allocation");
        ArrayNode weights = json.withArray("weights");
        weights.addNull();

        assertThatThrownBy(() -> EventJson.read(PLAIN.writeValueAsString(json), TargetAllocation.class))
                .isInstanceOfSatisfying(EventFormatException.class, e -> assertThat(e.field()).isEqualTo("weights[3]"));
    }

    @Test
    void malformed_json_fails_with_a_format_error() {
        assertThatThrownBy(() -> EventJson.read("{\"event_id\": ", CashDeposit.class))
                .isInstanceOf(EventFormatException.class)
                .hasMessageContaining("malformed JSON");
    }

    @Test
    void invest_cash_and_partial_liquidation_requests_need_an_amount() throws IOException {
        ObjectNode json = exampleTree("rebalance_request");
        json.remove("amount");
        ObjectNode full = json.deepCopy();
        full.put("type", "full_rebalance");

        assertThatThrownBy(() -> EventJson.read(PLAIN.writeValueAsString(json), RebalanceRequest.class))
                .isInstanceOfSatisfying(EventFormatException.class, e -> assertThat(e.field()).isEqualTo("amount"));
        assertThat(EventJson.read(PLAIN.writeValueAsString(full), RebalanceRequest.class).amount()).isNull();
    }

    @Test
    void a_halt_needs_a_reason_but_a_release_does_not() throws IOException {
        ObjectNode halt = exampleTree("trading_halt");
        halt.remove("reason");
        ObjectNode release = halt.deepCopy();
        release.put("halted", false);

        assertThatThrownBy(() -> EventJson.read(PLAIN.writeValueAsString(halt), TradingHalt.class))
                .isInstanceOfSatisfying(EventFormatException.class, e -> assertThat(e.field()).isEqualTo("reason"));
        assertThat(EventJson.read(PLAIN.writeValueAsString(release), TradingHalt.class).halted()).isFalse();
    }

    @Test
    void the_same_request_id_always_names_the_same_run() {
        String first = RebalanceRequest.runIdFor("deposit:20261123093000123::8f0e5d3c");

        assertThat(RebalanceRequest.runIdFor("deposit:20261123093000123::8f0e5d3c")).isEqualTo(first);
        assertThat(RebalanceRequest.runIdFor("deposit:20261123093000124::8f0e5d3c")).isNotEqualTo(first);
        assertThat(java.util.UUID.fromString(first).toString()).isEqualTo(first);
    }

    @Test
    void topic_names_follow_the_architecture() {
        assertThat(Topics.ALL).containsExactly(
                "rebalancer.targets.v1", "rebalancer.positions.v1", "rebalancer.cash-deposits.v1",
                "rebalancer.rebalance-requests.v1", "rebalancer.runs.v1", "rebalancer.alerts.v1",
                "rebalancer.control.v1", "rebalancer.calendar.v1", "rebalancer.volatility.v1",
                "rebalancer.deferrals.v1");
        assertThat(Topics.COMPACTED).isEqualTo(List.of(Topics.TARGETS, Topics.POSITIONS, Topics.CONTROL,
                Topics.CALENDAR, Topics.VOLATILITY));
        assertThat(Topics.deadLetterOf(Topics.CASH_DEPOSITS)).isEqualTo("rebalancer.cash-deposits.v1.dlq");
    }

    @Test
    void the_topic_layout_compacts_the_state_topics_and_puts_a_dead_letter_topic_beside_each() {
        var layout = Topics.layout();

        assertThat(layout).hasSize(20);
        assertThat(layout.get("rebalancer.targets.v1")).containsExactly(java.util.Map.entry("cleanup.policy", "compact"));
        assertThat(layout.get("rebalancer.positions.v1")).containsEntry("cleanup.policy", "compact");
        assertThat(layout.get("rebalancer.control.v1")).containsEntry("cleanup.policy", "compact");
        assertThat(layout.get("rebalancer.volatility.v1")).containsEntry("cleanup.policy", "compact");
        assertThat(layout.get("rebalancer.deferrals.v1")).isEmpty();
        assertThat(layout.get("rebalancer.cash-deposits.v1")).isEmpty();
        assertThat(layout.get("rebalancer.runs.v1.dlq")).isEmpty();
        assertThat(layout.keySet()).contains("rebalancer.targets.v1.dlq", "rebalancer.alerts.v1.dlq");
    }

    /**
     * A request or targets written before portfolios had strategies read as having none (every weight traded to its
     * target, as then); trade costs with fields left out take their defaults; a negative one is refused.
     */
    @Test
    void strategies_are_optional_and_trade_costs_take_their_defaults() throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode request = (com.fasterxml.jackson.databind.node.ObjectNode)
                PLAIN.readTree(example("rebalance_request"));
        request.remove("strategies");
        request.remove("rebalance_conditions");

        RebalanceRequest old = EventJson.read(request.toString(), RebalanceRequest.class);

        assertThat(old.strategies()).isEqualTo(Strategies.NONE);
        assertThat(old.rebalanceConditions()).isEmpty();

        request.putObject("strategies").putObject("trade_costs").put("min_trade_usd", "10");
        TradeCosts costs = EventJson.read(request.toString(), RebalanceRequest.class).strategies().tradeCosts();
        assertThat(costs.minTradeUsd()).isEqualByComparingTo("10");
        assertThat(costs.maxCostPercent()).isEqualByComparingTo("0.5");
        assertThat(costs.spreadBps()).containsEntry("us_equity", new java.math.BigDecimal("2"));
        assertThat(costs.skipInsideBand()).isTrue();
        assertThat(costs.rebalanceTo()).isEqualTo(TradeCosts.RebalanceTo.TARGET);
        assertThat(costs.estimatedCost("us_equity", new java.math.BigDecimal("1000"))).isEqualByComparingTo("0.20");

        ((com.fasterxml.jackson.databind.node.ObjectNode) request.get("strategies").get("trade_costs"))
                .put("per_order_usd", "-1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> EventJson.read(request.toString(),
                RebalanceRequest.class)).isInstanceOf(EventFormatException.class).hasMessageContaining("per_order_usd");
    }

    private static byte[] example(String name) throws IOException {
        try (InputStream in = EventJsonTest.class.getResourceAsStream("/examples/" + name + ".json")) {
            assertThat(in).as("example %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static ObjectNode exampleTree(String name) throws IOException {
        return (ObjectNode) PLAIN.readTree(example(name));
    }
}
