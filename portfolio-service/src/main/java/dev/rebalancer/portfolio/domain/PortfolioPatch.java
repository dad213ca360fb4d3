package dev.rebalancer.portfolio.domain;

import dev.rebalancer.contracts.Strategies;
import java.util.Set;

/**
 * A change to a portfolio: the fields a request had ({@code present}) with their accepted values; what it did not have
 * stays as it was. Each opt-in strategy is a field of its own: a change that does not name one (an Alpaca-shaped
 * client's, which knows none) leaves it as it was — silently dropping a strategy would cost the user.
 */
public record PortfolioPatch(Set<Field> present, PortfolioDraft values) {

    public enum Field {
        NAME, DESCRIPTION, WEIGHTS, REBALANCE_CONDITIONS, COOLDOWN_DAYS,
        /** {@code strategies.trade_costs}. */
        TRADE_COSTS,
        /** {@code strategies.tax_loss_harvesting}. */
        TAX_LOSS_HARVESTING,
        /** {@code strategies.volatility_filter}. */
        VOLATILITY_FILTER
    }

    public PortfolioPatch {
        present = Set.copyOf(present);
    }

    /** The portfolio after the change; the rules then hold for the whole of it, as they did for each part. */
    public PortfolioDraft applyTo(PortfolioDraft current) {
        return new PortfolioDraft(
                present.contains(Field.NAME) ? values.name() : current.name(),
                present.contains(Field.DESCRIPTION) ? values.description() : current.description(),
                present.contains(Field.WEIGHTS) ? values.weights() : current.weights(),
                present.contains(Field.REBALANCE_CONDITIONS) ? values.rebalanceConditions()
                        : current.rebalanceConditions(),
                present.contains(Field.COOLDOWN_DAYS) ? values.cooldownDays() : current.cooldownDays(),
                new Strategies(present.contains(Field.TRADE_COSTS) ? values.strategies().tradeCosts()
                        : current.strategies().tradeCosts(), present.contains(Field.TAX_LOSS_HARVESTING)
                        ? values.strategies().taxLossHarvesting() : current.strategies().taxLossHarvesting(),
                        present.contains(Field.VOLATILITY_FILTER) ? values.strategies().volatilityFilter()
                                : current.strategies().volatilityFilter()));
    }
}
