package dev.rebalancer.portfolio.domain;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.portfolio.domain.BalanceReckoning.EndOfDay;
import dev.rebalancer.portfolio.domain.BalanceReckoning.Fill;
import dev.rebalancer.portfolio.domain.BalanceReckoning.Holding;
import dev.rebalancer.portfolio.domain.BalanceReckoning.Result;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.BigRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * An account whose day is only what the check knows of (its own fills, recorded cash flows, price moves) always
 * balances; the same day with one position split n-for-1 never does, and the split is named with all of the difference.
 */
class BalanceReckoningProperties {

    private static final String[] SYMBOLS = {"SPY", "TLT", "QQQ", "GLD", "BND"};

    record Day(EndOfDay yesterday, EndOfDay today, List<Fill> fills, BigDecimal flows) {
    }

    /** Yesterday's holdings, and today's after our fills of {@code traded} shares and the price moves. */
    private static Day day(List<BigDecimal> quantities, List<BigDecimal> pricesBefore, List<BigDecimal> pricesAfter,
            List<BigDecimal> traded, BigDecimal cash, BigDecimal flows) {
        List<Holding> before = new ArrayList<>();
        List<Holding> after = new ArrayList<>();
        List<Fill> fills = new ArrayList<>();
        BigDecimal cashAfter = cash.add(flows);
        for (int i = 0; i < quantities.size(); i++) {
            BigDecimal qty = quantities.get(i).setScale(9, RoundingMode.DOWN);
            BigDecimal change = traded.get(i).setScale(9, RoundingMode.DOWN).max(qty.negate());
            BigDecimal fillPrice = pricesAfter.get(i).setScale(2, RoundingMode.DOWN);
            before.add(new Holding(SYMBOLS[i], qty, pricesBefore.get(i).setScale(2, RoundingMode.DOWN)));
            if (change.signum() != 0) {
                fills.add(new Fill(SYMBOLS[i], change.signum() > 0 ? "buy" : "sell", change.abs(), fillPrice,
                        "rb-x-" + i, true));
                cashAfter = cashAfter.subtract(change.multiply(fillPrice));
            }
            BigDecimal held = qty.add(change);
            if (held.signum() > 0) {
                after.add(new Holding(SYMBOLS[i], held, pricesAfter.get(i).setScale(2, RoundingMode.DOWN)));
            }
        }
        BigDecimal equityBefore = cash.add(before.stream().map(h -> h.qty().multiply(h.price()))
                .reduce(BigDecimal.ZERO, BigDecimal::add));
        BigDecimal equityAfter = cashAfter.add(after.stream().map(h -> h.qty().multiply(h.price()))
                .reduce(BigDecimal.ZERO, BigDecimal::add));
        return new Day(new EndOfDay(equityBefore, cash, before), new EndOfDay(equityAfter, cashAfter, after), fills,
                flows);
    }

    @Property(tries = 500)
    void a_day_of_known_changes_balances(
            @ForAll @Size(min = 1, max = 5) List<@BigRange(min = "0.001", max = "500") @net.jqwik.api.constraints.Scale(9) BigDecimal> quantities,
            @ForAll @Size(5) List<@BigRange(min = "1", max = "900") BigDecimal> pricesBefore,
            @ForAll @Size(5) List<@BigRange(min = "1", max = "900") BigDecimal> pricesAfter,
            @ForAll @Size(5) List<@BigRange(min = "-5", max = "5") @net.jqwik.api.constraints.Scale(9) BigDecimal> traded,
            @ForAll @BigRange(min = "0", max = "100000") BigDecimal cash,
            @ForAll @BigRange(min = "0", max = "10000") BigDecimal flows) {
        Day day = day(quantities, pricesBefore, pricesAfter, traded, cash.setScale(2, RoundingMode.DOWN),
                flows.setScale(2, RoundingMode.DOWN));

        Result result = BalanceReckoning.reckon(day.yesterday(), day.today(), day.fills(), day.flows(),
                new BigDecimal("0.01"));

        assertThat(result.beyondTolerance()).as("difference %s", result.difference()).isFalse();
        assertThat(result.positions()).isEmpty();
        assertThat(result.cash()).isNull();
    }

    @Property(tries = 500)
    void a_split_is_always_found_and_named(
            @ForAll @Size(min = 1, max = 5) List<@BigRange(min = "1", max = "500") BigDecimal> quantities,
            @ForAll @Size(5) List<@BigRange(min = "5", max = "900") BigDecimal> prices,
            @ForAll @IntRange(min = 2, max = 10) int ratio,
            @ForAll @BigRange(min = "0", max = "100000") BigDecimal cash) {
        List<BigDecimal> none = List.of(BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
                BigDecimal.ZERO);
        Day day = day(quantities, prices, prices, none, cash.setScale(2, RoundingMode.DOWN), BigDecimal.ZERO);
        Holding first = day.today().holdings().get(0);
        BigDecimal n = BigDecimal.valueOf(ratio);
        List<Holding> split = new ArrayList<>(day.today().holdings());
        split.set(0, new Holding(first.symbol(), first.qty().multiply(n), first.price().divide(n, 6,
                RoundingMode.HALF_EVEN)));
        EndOfDay today = new EndOfDay(day.today().equity(), day.today().cash(), split);

        Result result = BalanceReckoning.reckon(day.yesterday(), today, List.of(), BigDecimal.ZERO,
                new BigDecimal("1.00"));

        assertThat(result.positions()).singleElement().asString().startsWith(first.symbol() + ": ")
                .contains("×" + ratio + ": a " + ratio + "-for-1 split?");
    }
}
