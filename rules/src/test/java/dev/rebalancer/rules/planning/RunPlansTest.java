package dev.rebalancer.rules.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.Evidence;
import dev.rebalancer.contracts.InitiatedFrom;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunPhase;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Strategies;
import dev.rebalancer.contracts.TaxLossHarvesting;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.Weight;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The executor's phases, as the executor and the backtest both take them: sells first, buys on the cash there is. */
class RunPlansTest {

    private static final Instant NOW = Instant.parse("2026-12-03T15:00:00Z");
    private static final List<Weight> HALF_HALF = List.of(Weight.asset("A", "50"), Weight.asset("B", "50"));
    private final RunPlans plans = new RunPlans(0);

    private static RebalanceRequest request(RunType type, String amount, Strategies strategies) {
        return new RebalanceRequest("e-1", "acct-1", NOW, "req-1", RebalanceRequest.runIdFor("req-1"), type,
                amount == null ? null : new BigDecimal(amount), Trigger.MANUAL, new Evidence("a test", List.of()),
                "p-1", HALF_HALF, InitiatedFrom.API, List.of(), strategies);
    }

    private static RunPlans.Account account(String cash, Map<String, String> held, Lots lots) {
        List<Holding> holdings = held.entrySet().stream().map(e -> new Holding(e.getKey(), new BigDecimal(
                e.getValue()))).toList();
        Map<String, Asset> assets = Map.of("A", new Asset("A", new BigDecimal("100"), true), "B",
                new Asset("B", new BigDecimal("100"), true), "C", new Asset("C", new BigDecimal("50"), true));
        Map<String, BigDecimal> prices = Map.of("A", new BigDecimal("100"), "B", new BigDecimal("100"));
        return new RunPlans.Account(new Planner.Book(new BigDecimal(cash), holdings), assets, HALF_HALF, prices, lots,
                List.of());
    }

    /**
     * 80 A and 20 B at $100: the full rebalance sells $3,000 of A first and buys nothing yet; once the sells have
     * brought $3,000.00, the buys are planned on it: $3,000.00 of B.
     */
    @Test
    void a_full_rebalance_sells_first_and_buys_only_on_the_cash_the_sells_brought() {
        RebalanceRequest request = request(RunType.FULL_REBALANCE, null, Strategies.NONE);
        RunPlans.Account before = account("0", Map.of("A", "80", "B", "20"), Lots.of(List.of()));

        RunPlans.Phase first = plans.first(request, plans.plan(request, null, before, NOW), before, NOW);

        assertThat(first.phase()).isEqualTo(RunPhase.SELLS);
        assertThat(first.orders()).singleElement().satisfies(o -> {
            assertThat(o.symbol()).isEqualTo("A");
            assertThat(o.side()).isEqualTo(OrderSide.SELL);
            assertThat(o.value()).isEqualByComparingTo("3000");
        });
        RunPlans.Account after = account("3000.00", Map.of("A", "50", "B", "20"), Lots.of(List.of()));
        RunPlans.Phase buys = plans.afterSells(request, after, Map.of("A", new BigDecimal("3000.00")), NOW)
                .orElseThrow();
        assertThat(buys.orders()).singleElement().satisfies(o -> {
            assertThat(o.symbol()).isEqualTo("B");
            assertThat(o.value()).isEqualByComparingTo("3000.00");
        });
        // Had the sells brought nothing yet, nothing would be bought: no buy on proceeds still to come.
        assertThat(plans.afterSells(request, before, Map.of(), NOW).orElseThrow().orders()).isEmpty();
    }

    @Test
    void with_nothing_to_sell_a_full_rebalance_starts_with_its_buys_and_a_partial_liquidation_ends_with_its_sells() {
        RebalanceRequest full = request(RunType.FULL_REBALANCE, null, Strategies.NONE);
        RunPlans.Account cash = account("1000", Map.of(), Lots.of(List.of()));
        RunPlans.Phase first = plans.first(full, plans.plan(full, null, cash, NOW), cash, NOW);
        assertThat(first.phase()).isEqualTo(RunPhase.BUYS);
        assertThat(first.orders()).extracting(PlannedOrder::symbol).containsExactlyInAnyOrder("A", "B");

        RebalanceRequest liquidation = request(RunType.PARTIAL_LIQUIDATION, "500", Strategies.NONE);
        assertThat(RunPlans.buysFollowSells(RunType.PARTIAL_LIQUIDATION)).isFalse();
        assertThat(plans.afterSells(liquidation, account("500", Map.of("A", "45", "B", "50"), Lots.of(List.of())),
                Map.of(), NOW)).isEmpty();
    }

    /** A harvest's buys: each sold security's substitute, for what its sell brought. */
    @Test
    void a_harvest_buys_the_substitute_for_what_the_sell_brought() {
        Strategies harvesting = new Strategies(null, new TaxLossHarvesting(List.of(List.of("A", "C")), null, null));
        RebalanceRequest harvest = request(RunType.TAX_LOSS_HARVEST, null, harvesting);
        Lots lots = Lots.of(List.of(new Lots.Fill("f-1", "A", OrderSide.BUY, new BigDecimal("50"),
                new BigDecimal("120"), NOW.minus(java.time.Duration.ofDays(60)))));
        RunPlans.Account held = account("0", Map.of("A", "50", "B", "50"), lots);

        assertThat(RunPlans.harvestable(harvest, held, NOW)).containsExactly("A"); // $1,000 under its $6,000 cost

        RunPlans.Phase buys = plans.afterSells(harvest, account("5000", Map.of("B", "50"), lots),
                Map.of("A", new BigDecimal("5000")), NOW).orElseThrow();
        assertThat(buys.orders()).singleElement().satisfies(o -> {
            assertThat(o.symbol()).isEqualTo("C");
            assertThat(o.value()).isEqualByComparingTo("5000");
        });
    }
}
