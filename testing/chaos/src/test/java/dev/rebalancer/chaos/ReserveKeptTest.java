package dev.rebalancer.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reserve_kept judgement of one run: the simulator's cash after the run's buy fills against its recorded reserve. */
class ReserveKeptTest {

    private static JsonNode cashAfter(String json) throws Exception {
        return new ObjectMapper().readTree(json);
    }

    @Test
    void cash_down_to_the_reserve_and_no_further_holds() throws Exception {
        assertThat(Invariants.reserveViolations("run-1", new BigDecimal("100.00"), List.of("b-1", "b-2"),
                cashAfter("{\"b-1\": \"5100.00\", \"b-2\": \"100.00\"}"))).isEmpty();
    }

    @Test
    void a_cent_into_the_reserve_after_any_fill_is_a_violation() throws Exception {
        assertThat(Invariants.reserveViolations("run-1", new BigDecimal("100.00"), List.of("b-1", "b-2"),
                cashAfter("{\"b-1\": \"99.99\", \"b-2\": \"2000.00\"}"))).singleElement().asString()
                .contains("cash fell to 99.99").contains("reserve of 100.00");
    }

    @Test
    void buys_without_a_reserve_on_record_or_a_fill_the_simulator_never_made_are_violations() throws Exception {
        assertThat(Invariants.reserveViolations("run-1", null, List.of(), cashAfter("{}"))).singleElement()
                .asString().contains("no reserve on record");
        assertThat(Invariants.reserveViolations("run-1", new BigDecimal("25.00"), List.of("b-9"), cashAfter("{}")))
                .singleElement().asString().contains("b-9 recorded filled, no fill of it at the simulator");
    }
}
