package dev.rebalancer.portfolio.domain;

import dev.rebalancer.contracts.Strategies;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.Weight;
import java.util.List;

/** A portfolio as a request describes it, after the rules accepted it. */
public record PortfolioDraft(
        String name,
        String description,
        List<Weight> weights,
        List<RebalanceCondition> rebalanceConditions,
        int cooldownDays,
        Strategies strategies) {

    public PortfolioDraft {
        strategies = Strategies.orNone(strategies);
    }
}
