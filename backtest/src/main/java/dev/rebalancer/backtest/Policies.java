package dev.rebalancer.backtest;

import dev.rebalancer.contracts.ConditionSubType;
import dev.rebalancer.contracts.ConditionType;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.Strategies;
import dev.rebalancer.contracts.TaxLossHarvesting;
import dev.rebalancer.contracts.TradeCosts;
import dev.rebalancer.contracts.VolatilityFilter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The policies a backtest compares, by name: what replaces the portfolio's rebalance conditions (and, for the band's
 * edge, its trade costs), and which opt-in strategies are on. Names join with {@code +}: {@code band-5+quarterly+tlh}.
 * Every policy keeps the portfolio's trade costs; the volatility filter and tax-loss harvesting are on only where the
 * name says so (with the portfolio's settings of them, else their defaults), or in {@code portfolio}.
 * <ul>
 * <li>{@code portfolio}: the portfolio's own conditions and strategies</li>
 * <li>{@code none}: buy and hold (the first rebalance only)</li>
 * <li>{@code weekly}, {@code monthly}, {@code quarterly}, {@code annually}: a calendar condition (Monday, the 1st,
 * the 1st of March/June/September/December, 2 January)</li>
 * <li>{@code band-N}: an absolute drift band of N percentage points; {@code relative-N}: a relative band of N % of the
 * target</li>
 * <li>{@code edge-N}: an absolute band of N points, traded back to the band's edge rather than the target</li>
 * <li>{@code vol}: the volatility filter on (default: the VIX above 30 defers)</li>
 * <li>{@code tlh}: tax-loss harvesting on (default: the pairs VOO/VTI, VWO/IEMG, QQQ/VGT past a 5 % loss)</li>
 * </ul>
 */
public final class Policies {

    private static final Pattern BAND = Pattern.compile("(band|relative|edge)-(\\d+(?:\\.\\d+)?)");

    /** A named policy applied to a portfolio. */
    public record Policy(String name, List<RebalanceCondition> conditions, Strategies strategies) {
    }

    private Policies() {
    }

    /** The policy {@code name} for a portfolio with {@code conditions} and {@code strategies}. */
    public static Policy named(String name, List<RebalanceCondition> conditions, Strategies strategies) {
        if (name.equals("portfolio")) {
            return new Policy(name, conditions, strategies);
        }
        List<RebalanceCondition> chosen = new ArrayList<>();
        TradeCosts costs = strategies.tradeCosts();
        TaxLossHarvesting harvesting = null;
        VolatilityFilter volatility = null;
        for (String part : name.toLowerCase(Locale.ROOT).split("\\+")) {
            Matcher band = BAND.matcher(part);
            switch (part) {
                case "none" -> { }
                case "vol" -> volatility = strategies.volatilityFilter() != null ? strategies.volatilityFilter()
                        : VolatilityFilter.defaults();
                case "tlh" -> harvesting = strategies.taxLossHarvesting() != null ? strategies.taxLossHarvesting()
                        : TaxLossHarvesting.defaults();
                case "weekly" -> chosen.add(calendar(ConditionSubType.WEEKLY, "monday"));
                case "monthly" -> chosen.add(calendar(ConditionSubType.MONTHLY, "1"));
                case "quarterly" -> chosen.add(calendar(ConditionSubType.QUARTERLY, "1"));
                case "annually" -> chosen.add(calendar(ConditionSubType.ANNUALLY, "01-02"));
                default -> {
                    if (!band.matches()) {
                        throw new IllegalArgumentException("not a policy: " + part + " (the policies: portfolio, "
                                + "none, weekly, monthly, quarterly, annually, band-N, relative-N, edge-N, vol, tlh, joined by +)");
                    }
                    boolean relative = band.group(1).equals("relative");
                    chosen.add(new RebalanceCondition(ConditionType.DRIFT_BAND, relative ? ConditionSubType.RELATIVE
                            : ConditionSubType.ABSOLUTE, new BigDecimal(band.group(2)), null));
                    if (band.group(1).equals("edge")) {
                        costs = costs == null
                                ? new TradeCosts(null, null, null, null, null, null, TradeCosts.RebalanceTo.BAND_EDGE)
                                : new TradeCosts(costs.minTradeUsd(), costs.minTradePercent(), costs.spreadBps(),
                                        costs.perOrderUsd(), costs.maxCostPercent(), costs.skipInsideBand(),
                                        TradeCosts.RebalanceTo.BAND_EDGE);
                    }
                }
            }
        }
        if (chosen.stream().filter(c -> c.type() == ConditionType.CALENDAR).count() > 1) {
            throw new IllegalArgumentException(name + ": one calendar condition at most, as at Alpaca");
        }
        return new Policy(name, List.copyOf(chosen), new Strategies(costs, harvesting, volatility));
    }

    private static RebalanceCondition calendar(ConditionSubType subType, String day) {
        return new RebalanceCondition(ConditionType.CALENDAR, subType, null, day);
    }
}
