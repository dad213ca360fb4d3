package dev.rebalancer.contracts;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tax-loss harvesting, a portfolio's opt-in strategy: a position whose loss passes {@code loss_percent} of its cost
 * and {@code min_loss_usd} is sold and its substitute bought; a security sold at a loss is not bought again for
 * {@link #WASH_SALE_DAYS} days (its substitute is bought instead), and one bought in the last 30 days is not harvested.
 * {@code pairs} are the substitutes, each pair both ways; the defaults track different indexes (funds on the same
 * index may be "substantially identical"). A position and its substitute count together toward the weight.
 */
public record TaxLossHarvesting(List<List<String>> pairs, BigDecimal lossPercent, BigDecimal minLossUsd) {

    /** The wash-sale window: 30 days before and after a sale at a loss. */
    public static final int WASH_SALE_DAYS = 30;
    public static final List<List<String>> DEFAULT_PAIRS = List.of(List.of("VOO", "VTI"), List.of("VWO", "IEMG"),
            List.of("QQQ", "VGT"));
    public static final BigDecimal DEFAULT_LOSS_PERCENT = new BigDecimal("5");
    /** Why a buy was not sent: the security was sold at a loss within the wash-sale window, and has no substitute. */
    public static final String WASH_SALE = "WASH_SALE_WINDOW";

    public TaxLossHarvesting {
        pairs = pairs == null ? DEFAULT_PAIRS : List.copyOf(pairs.stream().map(List::copyOf).toList());
        for (int i = 0; i < pairs.size(); i++) {
            List<String> pair = pairs.get(i);
            if (pair.size() != 2 || pair.get(0).equals(pair.get(1))) {
                throw new MissingFieldException("pairs[" + i + "]", "must be two different symbols");
            }
        }
        if (substitutesOf(pairs).size() != 2 * pairs.size()) {
            throw new MissingFieldException("pairs", "a symbol may be in one pair only");
        }
        lossPercent = lossPercent == null ? DEFAULT_LOSS_PERCENT : lossPercent;
        minLossUsd = minLossUsd == null ? BigDecimal.ZERO : minLossUsd;
        if (lossPercent.signum() <= 0 || minLossUsd.signum() < 0) {
            throw new MissingFieldException(lossPercent.signum() <= 0 ? "loss_percent" : "min_loss_usd",
                    "must be positive");
        }
    }

    public static TaxLossHarvesting defaults() {
        return new TaxLossHarvesting(null, null, null);
    }

    /** Each symbol's substitute, both ways. */
    public Map<String, String> substitutes() {
        return substitutesOf(pairs);
    }

    /** {@code symbols} and the substitute of each that has one. */
    public java.util.Set<String> withSubstitutes(java.util.Collection<String> symbols) {
        java.util.Set<String> all = new java.util.LinkedHashSet<>(symbols);
        Map<String, String> substitutes = substitutes();
        for (String symbol : symbols) {
            if (substitutes.containsKey(symbol)) {
                all.add(substitutes.get(symbol));
            }
        }
        return all;
    }

    private static Map<String, String> substitutesOf(List<List<String>> pairs) {
        Map<String, String> substitutes = new LinkedHashMap<>();
        for (List<String> pair : pairs) {
            substitutes.put(pair.get(0), pair.get(1));
            substitutes.put(pair.get(1), pair.get(0));
        }
        return Map.copyOf(substitutes);
    }
}
