package dev.rebalancer.rules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.Evidence;
import dev.rebalancer.contracts.InitiatedFrom;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.Weight;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestCheckTest {

    static RebalanceRequest request(RunType type, String amount, List<Weight> weights) {
        return new RebalanceRequest("e-1", "acct-1", Instant.parse("2026-12-02T15:00:00Z"), "req-1",
                RebalanceRequest.runIdFor("req-1"), type, amount == null ? null : new BigDecimal(amount), Trigger.MANUAL,
                new Evidence("a test", List.of()), "p-1", weights, InitiatedFrom.API);
    }

    static final List<Weight> GOOD = List.of(Weight.cash("5"), Weight.asset("SPY", "60"), Weight.asset("TLT", "35"));

    @Test
    void a_request_as_the_drift_monitor_and_the_api_make_them_passes() {
        assertThat(RequestCheck.problem(request(RunType.FULL_REBALANCE, null, GOOD))).isEmpty();
        assertThat(RequestCheck.problem(request(RunType.INVEST_CASH, "1000.00", GOOD))).isEmpty();
        assertThat(RequestCheck.problem(request(RunType.INVEST_CASH, "10",
                List.of(Weight.asset("VTI", "33.34"), Weight.asset("VXUS", "33.33"), Weight.asset("BND", "33.33")))))
                .isEmpty();
    }

    @Test
    void anything_else_is_refused_with_the_reason() {
        assertThat(RequestCheck.problem(request(RunType.FULL_REBALANCE, null,
                List.of(Weight.asset("SPY", "60"), Weight.asset("TLT", "30")))))
                .hasValue("the weights add up to 90, not 100");
        assertThat(RequestCheck.problem(request(RunType.FULL_REBALANCE, null,
                List.of(Weight.asset("SPY", "60"), Weight.asset("TLT", "40.000000001")))))
                .hasValue("the weights add up to 100.000000001, not 100");
        assertThat(RequestCheck.problem(request(RunType.INVEST_CASH, "0", GOOD)))
                .hasValue("invest_cash needs a positive amount, not 0");
        assertThat(RequestCheck.problem(request(RunType.PARTIAL_LIQUIDATION, "-5", GOOD)))
                .hasValue("partial_liquidation needs a positive amount, not -5");
        assertThat(RequestCheck.problem(request(RunType.FULL_REBALANCE, null,
                List.of(Weight.asset("SPY", "110"), Weight.asset("TLT", "-10")))))
                .hasValue("a weight's percent must be above 0 and at most 100, not 110 (SPY)");
        assertThat(RequestCheck.problem(request(RunType.FULL_REBALANCE, null,
                List.of(Weight.asset("SPY", "50"), Weight.asset("SPY", "50")))))
                .hasValue("SPY is weighted twice");
        assertThat(RequestCheck.problem(request(RunType.FULL_REBALANCE, null,
                List.of(Weight.cash("50"), Weight.cash("50")))))
                .hasValue("cash is weighted twice");
        assertThat(RequestCheck.problem(request(RunType.FULL_REBALANCE, null, List.of()))).hasValue("no weights");
    }
}
