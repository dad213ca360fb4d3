package dev.rebalancer.notifier.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.InitiatedFrom;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.SkippedOrder;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.Weight;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import dev.rebalancer.contracts.TradeCosts;
import org.junit.jupiter.api.Test;

public class SummariesTest {

    public static RunEvent run(RunStatus status, String reason, List<RunOrder> orders, List<RunOrder> failed,
            List<SkippedOrder> skipped) {
        Instant now = Instant.parse("2026-11-23T15:00:00Z");
        return new RunEvent("evt-" + status, "acct-1", now, "run-1", "req-1", "portfolio-1", RunType.INVEST_CASH,
                new BigDecimal("1000"), InitiatedFrom.SYSTEM, Trigger.CASH_DEPOSIT, status, null, reason, false,
                List.of(Weight.cash("5"), Weight.asset("SPY", "95")), orders, failed, skipped, now, now, now, null);
    }

    public static RunOrder order(String symbol, OrderSide side, String notional, String status, String reason) {
        return new RunOrder("o-" + symbol, "rb-run-1-b-" + symbol, symbol, side, null, new BigDecimal(notional),
                null, null, status, Instant.parse("2026-11-23T15:00:00Z"), null, reason, null, null, null, null, null,
                null, null);
    }

    @Test
    void an_adjusted_run_lists_account_type_trigger_orders_and_alpacas_reasons() {
        RunEvent adjusted = run(RunStatus.COMPLETED_ADJUSTED, null,
                List.of(order("SPY", OrderSide.BUY, "500", "filled", null)),
                List.of(order("TLT", OrderSide.BUY, "450", "rejected", "insufficient buying power")),
                List.of(new SkippedOrder("GLD", OrderSide.BUY, new BigDecimal("0.40"), "USD",
                        SkippedOrder.LESS_THAN_MIN_NOTIONAL,
                        "order notional value $0.4 is less than min-notional set for correspondent ($1.0)")));

        Notification summary = Summaries.run(adjusted, false).orElseThrow();

        assertThat(summary.severity()).isEqualTo(Severity.WARNING);
        assertThat(summary.title()).isEqualTo("Run COMPLETED_ADJUSTED: invest_cash");
        assertThat(summary.lines()).containsSubsequence(
                "Account: acct-1",
                "Type: invest_cash · trigger: cash_deposit",
                "Amount: $1000.00",
                "Orders (1):",
                "• buy SPY $500.00 — filled",
                "Failed orders (1):",
                "• buy TLT $450.00 — rejected — insufficient buying power",
                "Skipped orders (1):",
                "• buy GLD $0.40 — ORDER_LESS_THAN_MIN_NOTIONAL: order notional value $0.4 is less than min-notional "
                        + "set for correspondent ($1.0)");
    }

    /** A run that traded says for how much and what it cost; a trade not worth its cost says why in words. */
    @Test
    void a_run_tells_its_turnover_its_estimated_cost_and_the_trades_that_did_not_pay() {
        RunEvent plain = run(RunStatus.COMPLETED_SUCCESS, null, List.of(order("SPY", OrderSide.BUY, "500", "filled",
                null)), List.of(), List.of(new SkippedOrder("TLT", OrderSide.BUY, new BigDecimal("12.00"), "USD",
                TradeCosts.COST_EXCEEDS_BENEFIT, "TLT not traded: the $12.00 trade is under the minimum trade of "
                + "$25.00, and TLT stays inside its band without it (43.10 % against 45 % ± 5)")));
        RunEvent told = new RunEvent(plain.eventId(), plain.accountId(), plain.occurredAt(), plain.runId(),
                plain.requestId(), plain.portfolioId(), plain.type(), plain.amount(), plain.initiatedFrom(),
                plain.trigger(), plain.status(), plain.phase(), plain.reason(), plain.dryRun(), plain.weights(),
                plain.orders(), plain.failedOrders(), plain.skippedOrders(), plain.createdAt(), plain.updatedAt(),
                plain.completedAt(), plain.canceledAt(), new BigDecimal("500.00"), new BigDecimal("0.10"));

        Notification summary = Summaries.run(told, true).orElseThrow();

        assertThat(summary.lines()).containsSubsequence(
                "Run: run-1",
                "Traded: $500.00 · estimated cost $0.10",
                "Orders (1):",
                "• buy SPY $500.00 — filled",
                "Skipped orders (1):",
                "• buy TLT $12.00 — COST_EXCEEDS_BENEFIT: TLT not traded: the $12.00 trade is under the minimum trade "
                        + "of $25.00, and TLT stays inside its band without it (43.10 % against 45 % ± 5)");
        assertThat(Summaries.run(plain, true).orElseThrow().lines()).noneMatch(line -> line.startsWith("Traded"));
    }

    /** A harvest that traded is always told, in words: what was sold at what loss, what bought, until when. */
    @Test
    void a_harvest_is_told_even_when_only_problems_are() {
        Instant now = Instant.parse("2026-12-15T15:00:00Z");
        RunEvent harvest = new RunEvent("evt-h", "acct-1", now, "run-h", "harvest:acct-1:2026-12-15", "portfolio-1",
                RunType.TAX_LOSS_HARVEST, null, InitiatedFrom.SYSTEM, Trigger.TAX_LOSS, RunStatus.COMPLETED_SUCCESS,
                null, "sold VOO at a $412.00 loss, bought VTI; VOO blocked until 2027-01-14", false,
                List.of(Weight.asset("VOO", "100")), List.of(order("VOO", OrderSide.SELL, "4500", "filled", null),
                        order("VTI", OrderSide.BUY, "4500", "filled", null)), List.of(), List.of(), now, now, now, null);

        Notification told = Summaries.run(harvest, false).orElseThrow();

        assertThat(told.title()).isEqualTo("Run COMPLETED_SUCCESS: tax_loss_harvest");
        assertThat(told.lines()).contains("Type: tax_loss_harvest · trigger: tax_loss",
                "Harvested: sold VOO at a $412.00 loss, bought VTI; VOO blocked until 2027-01-14");
        RunEvent nothing = new RunEvent("evt-n", "acct-1", now, "run-n", "harvest:acct-1:2026-12-16", "portfolio-1",
                RunType.TAX_LOSS_HARVEST, null, InitiatedFrom.SYSTEM, Trigger.TAX_LOSS, RunStatus.COMPLETED_SUCCESS,
                null, "nothing to harvest: no position past its loss threshold and bought over 30 days ago", false,
                List.of(Weight.asset("VOO", "100")), List.of(), List.of(), List.of(), now, now, now, null);
        assertThat(Summaries.run(nothing, false)).isEmpty();
    }

    @Test
    void by_default_only_runs_that_went_wrong_are_summarized() {
        assertThat(Summaries.run(run(RunStatus.COMPLETED_SUCCESS, null, List.of(), List.of(), List.of()), false))
                .isEmpty();
        assertThat(Summaries.run(run(RunStatus.IN_PROGRESS, null, List.of(), List.of(), List.of()), true)).isEmpty();
        assertThat(Summaries.run(run(RunStatus.COMPLETED_SUCCESS, null, List.of(), List.of(), List.of()), true))
                .hasValueSatisfying(n -> assertThat(n.severity()).isEqualTo(Severity.INFO));
        for (RunStatus status : List.of(RunStatus.ERROR, RunStatus.TIMEOUT, RunStatus.COMPLETED_ADJUSTED,
                RunStatus.CANCELED_MID_RUN)) {
            assertThat(Summaries.run(run(status, "why", List.of(), List.of(), List.of()), false)).as(status.name())
                    .hasValueSatisfying(n -> assertThat(n.lines()).contains("Reason: why"));
        }
        assertThat(Summaries.run(run(RunStatus.ERROR, "x", List.of(), List.of(), List.of()), false).orElseThrow()
                .severity()).isEqualTo(Severity.CRITICAL);
    }
}
