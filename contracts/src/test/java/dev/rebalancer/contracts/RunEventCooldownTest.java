package dev.rebalancer.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which completed runs restart a subscription's cooldown, as Alpaca counts it. */
class RunEventCooldownTest {

    private static final Instant AT = Instant.parse("2026-11-23T15:00:00Z");

    private static RunEvent run(RunType type, RunStatus status, boolean dryRun, List<RunOrder> orders,
            List<SkippedOrder> skipped) {
        return new RunEvent("e", "a", AT, "r", "q", null, type, type == RunType.INVEST_CASH ? BigDecimal.TEN : null,
                InitiatedFrom.SYSTEM, Trigger.DRIFT_BAND, status, null, null, dryRun, List.of(Weight.asset("SPY", "100")),
                orders, List.of(), skipped, AT, AT, AT, null);
    }

    private static final RunOrder FILLED = new RunOrder("o", "c", "SPY", OrderSide.BUY, null, new BigDecimal("100.00"),
            BigDecimal.ONE, new BigDecimal("100"), "filled", AT, AT, null, null, AT, AT, null, null, null, null);
    private static final SkippedOrder PLANNED_DRY = new SkippedOrder("SPY", OrderSide.BUY, new BigDecimal("100.00"),
            "USD", RunEvent.DRY_RUN_SKIP, "planned and not sent: the account is in dry run");
    private static final SkippedOrder TOO_SMALL = new SkippedOrder("SPY", OrderSide.BUY, new BigDecimal("0.50"), "USD",
            SkippedOrder.LESS_THAN_MIN_NOTIONAL, "below $1");

    @Test
    void a_completed_full_rebalance_that_traded_or_would_have_in_dry_run_starts_the_cooldown() {
        assertThat(run(RunType.FULL_REBALANCE, RunStatus.COMPLETED_SUCCESS, false, List.of(FILLED), List.of())
                .startsCooldown()).isTrue();
        assertThat(run(RunType.FULL_REBALANCE, RunStatus.COMPLETED_SUCCESS, true, List.of(), List.of(PLANNED_DRY))
                .startsCooldown()).as("a dry run's planned orders").isTrue();
    }

    @Test
    void nothing_traded_an_invest_cash_or_an_unfinished_run_starts_nothing() {
        assertThat(run(RunType.FULL_REBALANCE, RunStatus.COMPLETED_SUCCESS, false, List.of(), List.of(TOO_SMALL))
                .startsCooldown()).isFalse();
        assertThat(run(RunType.FULL_REBALANCE, RunStatus.COMPLETED_SUCCESS, true, List.of(), List.of(TOO_SMALL))
                .startsCooldown()).as("a dry run that planned nothing").isFalse();
        assertThat(run(RunType.INVEST_CASH, RunStatus.COMPLETED_SUCCESS, false, List.of(FILLED), List.of())
                .startsCooldown()).isFalse();
        assertThat(run(RunType.FULL_REBALANCE, RunStatus.IN_PROGRESS, false, List.of(FILLED), List.of())
                .startsCooldown()).isFalse();
    }
}
