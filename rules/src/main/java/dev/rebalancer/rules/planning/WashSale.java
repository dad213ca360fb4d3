package dev.rebalancer.rules.planning;

import dev.rebalancer.contracts.Weight;
import dev.rebalancer.contracts.WeightType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Substitute pairs and the wash-sale guard, as the planner applies them to a portfolio's weights. A weighted security
 * and its substitute are one line: they count together toward the weight, its target split between them in proportion
 * to what the account holds of each (nothing is switched back and forth). A security in {@code noBuy} (sold at a loss
 * within the wash-sale window) keeps at most what the account holds of it — it may be sold, never bought — and the rest
 * of its line's weight goes to its substitute, or, with none to take it, stays in cash. Plain arithmetic, no I/O.
 */
public record WashSale(Map<String, String> substitutes, Set<String> noBuy) {

    public static final WashSale NONE = new WashSale(Map.of(), Set.of());
    private static final BigDecimal HUNDRED = new BigDecimal("100");
    private static final int SCALE = 12;

    public WashSale {
        substitutes = Map.copyOf(substitutes);
        noBuy = Set.copyOf(noBuy);
    }

    /**
     * The weights the planner trades toward: each line's target split between its two securities, none of the blocked
     * ones above what is held, the rest to the substitute or to cash. Without pairs or blocks, the weights as they are.
     */
    public List<Weight> split(List<Weight> weights, Planner.Book book, Map<String, Asset> assets) {
        if (substitutes.isEmpty() && noBuy.isEmpty()) {
            return weights;
        }
        Map<String, BigDecimal> values = new LinkedHashMap<>();
        BigDecimal equity = book.cash();
        for (Holding holding : book.holdings()) {
            BigDecimal value = holding.qty().multiply(assets.get(holding.symbol()).price());
            values.merge(holding.symbol(), value, BigDecimal::add);
            equity = equity.add(value);
        }
        if (equity.signum() <= 0) {
            return weights;
        }
        Set<String> weighted = new java.util.HashSet<>();
        weights.stream().filter(w -> w.type() == WeightType.ASSET).forEach(w -> weighted.add(w.symbol()));
        List<Weight> split = new ArrayList<>();
        BigDecimal toCash = BigDecimal.ZERO;
        for (Weight weight : weights) {
            if (weight.type() == WeightType.CASH) {
                continue;
            }
            String primary = weight.symbol();
            String substitute = substitutes.get(primary);
            boolean paired = substitute != null && !weighted.contains(substitute) && assets.containsKey(substitute);
            BigDecimal target = weight.percent();
            BigDecimal heldPrimary = share(values.get(primary), equity);
            if (!paired) {
                BigDecimal kept = noBuy.contains(primary) ? target.min(heldPrimary) : target;
                split.add(new Weight(WeightType.ASSET, primary, kept));
                toCash = toCash.add(target.subtract(kept));
                continue;
            }
            BigDecimal heldSubstitute = share(values.get(substitute), equity);
            BigDecimal forPrimary;
            BigDecimal forSubstitute;
            if (noBuy.contains(primary)) {
                forPrimary = target.min(heldPrimary);
                forSubstitute = target.subtract(forPrimary);
                if (noBuy.contains(substitute)) {
                    forSubstitute = forSubstitute.min(heldSubstitute);
                }
            } else if (noBuy.contains(substitute)) {
                forSubstitute = target.min(heldSubstitute);
                forPrimary = target.subtract(forSubstitute);
            } else {
                BigDecimal held = heldPrimary.add(heldSubstitute);
                forPrimary = held.signum() == 0 ? target
                        : target.multiply(heldPrimary).divide(held, SCALE, RoundingMode.HALF_EVEN);
                forSubstitute = target.subtract(forPrimary);
            }
            split.add(new Weight(WeightType.ASSET, primary, forPrimary));
            if (forSubstitute.signum() > 0) {
                split.add(new Weight(WeightType.ASSET, substitute, forSubstitute));
            }
            toCash = toCash.add(target.subtract(forPrimary).subtract(forSubstitute));
        }
        BigDecimal cash = weights.stream().filter(w -> w.type() == WeightType.CASH).map(Weight::percent)
                .reduce(BigDecimal.ZERO, BigDecimal::add).add(toCash);
        if (cash.signum() > 0) {
            split.add(new Weight(WeightType.CASH, null, cash));
        }
        return List.copyOf(split);
    }

    private static BigDecimal share(BigDecimal value, BigDecimal equity) {
        return value == null ? BigDecimal.ZERO : value.multiply(HUNDRED).divide(equity, SCALE, RoundingMode.DOWN);
    }
}
