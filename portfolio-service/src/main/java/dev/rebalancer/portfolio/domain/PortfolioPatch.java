package dev.rebalancer.portfolio.domain;

import java.util.Set;

/**
 * A change to a portfolio: the fields a request had ({@code present}) with their accepted values; what it did not have
 * stays as it was.
 */
public record PortfolioPatch(Set<Field> present, PortfolioDraft values) {

    public enum Field {
        NAME, DESCRIPTION, WEIGHTS, REBALANCE_CONDITIONS, COOLDOWN_DAYS
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
                present.contains(Field.COOLDOWN_DAYS) ? values.cooldownDays() : current.cooldownDays());
    }
}
