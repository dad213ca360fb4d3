package dev.rebalancer.rules.planning;

import dev.rebalancer.contracts.SkippedOrder;
import java.math.BigDecimal;
import java.util.List;

/**
 * What a run sends: sells first, then buys, and the orders it wanted but may not send (under $1); and the cash
 * reserve its buys leave untouched, in dollars at the planning prices.
 */
public record Plan(List<PlannedOrder> sells, List<PlannedOrder> buys, List<SkippedOrder> skipped, BigDecimal reserve) {

    public Plan {
        sells = List.copyOf(sells);
        buys = List.copyOf(buys);
        skipped = List.copyOf(skipped);
        java.util.Objects.requireNonNull(reserve, "reserve");
    }

    /** A plan that keeps no reserve. */
    public Plan(List<PlannedOrder> sells, List<PlannedOrder> buys, List<SkippedOrder> skipped) {
        this(sells, buys, skipped, BigDecimal.ZERO);
    }

    public BigDecimal buyValue() {
        return buys.stream().map(PlannedOrder::value).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    public BigDecimal sellValue() {
        return sells.stream().map(PlannedOrder::value).reduce(BigDecimal.ZERO, BigDecimal::add);
    }
}
