package dev.rebalancer.rules.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.TaxLossHarvesting;
import dev.rebalancer.contracts.Weight;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Substitute pairs and the wash-sale guard, worked by hand. */
class WashSalePlanningTest {

    private final Planner planner = new Planner(0);
    private final Map<String, Asset> assets = Map.of(
            "VOO", new Asset("VOO", d("500"), true),
            "VTI", new Asset("VTI", d("250"), true),
            "BND", new Asset("BND", d("70"), true));
    private final List<Weight> portfolio = List.of(Weight.asset("VOO", "60"), Weight.asset("BND", "40"));
    private final Map<String, String> pairs = TaxLossHarvesting.defaults().substitutes();

    private static BigDecimal d(String value) {
        return new BigDecimal(value);
    }

    @Test
    void a_harvest_sells_the_loser_and_buys_its_substitute_for_the_proceeds() {
        // 12 VOO at $500 ($6,000, bought higher) and $4,000 of BND; VOO is harvested: sold, VTI bought for $6,000.
        Planner.Book book = new Planner.Book(d("0"), List.of(new Holding("VOO", d("12")), new Holding("BND",
                d("57.142857143"))));

        Plan harvest = planner.harvest(book, assets, Set.of("VOO"), new Planner.Policy(List.of(), null,
                new WashSale(pairs, Set.of())));

        assertThat(harvest.sells()).singleElement().satisfies(sell -> {
            assertThat(sell.symbol()).isEqualTo("VOO");
            assertThat(sell.qty()).isEqualByComparingTo("12");
        });
        assertThat(harvest.buys()).singleElement().satisfies(buy -> {
            assertThat(buy.symbol()).isEqualTo("VTI");
            assertThat(buy.notional()).isEqualByComparingTo("6000.00");
        });
    }

    @Test
    void while_voo_is_blocked_a_deposit_buys_vti_and_vti_counts_toward_voos_weight() {
        // After the harvest: $6,000 of VTI, $4,000 of BND, and a $1,000 deposit. VOO's 60 % line holds $6,000 of
        // $11,000: $600 short; BND's 40 % is $400 short. VOO was sold at a loss: its $600 goes to VTI.
        Planner.Book book = new Planner.Book(d("1000"), List.of(new Holding("VTI", d("24")), new Holding("BND",
                d("57.142857143"))));
        WashSale blocked = new WashSale(pairs, Set.of("VOO"));

        Plan invest = planner.investCash(book, portfolio, assets, d("1000"), new Planner.Policy(List.of(), null,
                blocked));

        assertThat(invest.buys()).extracting(PlannedOrder::symbol).containsExactlyInAnyOrder("VTI", "BND");
        assertThat(invest.buys()).filteredOn(b -> b.symbol().equals("VTI")).singleElement()
                .satisfies(buy -> assertThat(buy.notional()).isEqualByComparingTo("600.00"));

        // A full rebalance neither sells VTI as a position outside the targets nor buys VOO.
        Plan full = planner.fullRebalance(book, portfolio, assets, new Planner.Policy(List.of(), null, blocked));

        assertThat(full.sells()).isEmpty();
        assertThat(full.buys()).extracting(PlannedOrder::symbol).doesNotContain("VOO");

        // Without a substitute, a blocked security's share stays in cash.
        Plan alone = planner.investCash(book, portfolio, assets, d("1000"), new Planner.Policy(List.of(), null,
                new WashSale(Map.of(), Set.of("VOO"))));

        assertThat(alone.buys()).extracting(PlannedOrder::symbol).containsExactly("BND");
    }
}
