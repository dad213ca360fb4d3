package dev.rebalancer.contracts;

/**
 * A portfolio's opt-in strategies, an object beside Alpaca's portfolio shape that Alpaca-shaped clients neither send
 * nor see; each one absent (null) is off. They travel with the portfolio's targets to the drift monitor and with each
 * rebalance request to the executor, whose planner applies them.
 */
public record Strategies(TradeCosts tradeCosts, TaxLossHarvesting taxLossHarvesting,
        VolatilityFilter volatilityFilter) {

    public static final Strategies NONE = new Strategies(null, null, null);

    /** Without the volatility filter. */
    public Strategies(TradeCosts tradeCosts, TaxLossHarvesting taxLossHarvesting) {
        this(tradeCosts, taxLossHarvesting, null);
    }

    /** Trade costs alone. */
    public Strategies(TradeCosts tradeCosts) {
        this(tradeCosts, null);
    }

    /** Strategies as an event carries them: absent means none. */
    public static Strategies orNone(Strategies strategies) {
        return strategies == null ? NONE : strategies;
    }
}
