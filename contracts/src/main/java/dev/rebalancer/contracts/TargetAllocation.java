package dev.rebalancer.contracts;

import static dev.rebalancer.contracts.Fields.listOrEmpty;
import static dev.rebalancer.contracts.Fields.required;
import static dev.rebalancer.contracts.Fields.requiredList;
import static dev.rebalancer.contracts.Fields.requiredText;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;

/**
 * The portfolio an account is subscribed to, as the drift monitor needs it. Published on {@link Topics#TARGETS}
 * (compacted) whenever the subscription or its portfolio changes; a tombstone (null value) means unsubscribed. The
 * portfolio's opt-in {@code strategies} (an object beside Alpaca's shape) come with it.
 */
public record TargetAllocation(
        String eventId,
        String accountId,
        Instant occurredAt,
        String subscriptionId,
        String portfolioId,
        PortfolioStatus portfolioStatus,
        List<Weight> weights,
        List<RebalanceCondition> rebalanceConditions,
        Integer cooldownDays,
        Instant lastRebalancedAt,
        Instant portfolioUpdatedAt,
        Strategies strategies) implements AccountEvent {

    public static final String TYPE = "target_allocation";

    public TargetAllocation {
        requiredText(eventId, "event_id");
        requiredText(accountId, "account_id");
        required(occurredAt, "occurred_at");
        requiredText(subscriptionId, "subscription_id");
        requiredText(portfolioId, "portfolio_id");
        required(portfolioStatus, "portfolio_status");
        weights = requiredList(weights, "weights");
        rebalanceConditions = listOrEmpty(rebalanceConditions, "rebalance_conditions");
        if (required(cooldownDays, "cooldown_days") < 0) {
            throw new MissingFieldException("cooldown_days", "must not be negative");
        }
        required(portfolioUpdatedAt, "portfolio_updated_at");
        strategies = Strategies.orNone(strategies);
    }

    /** Targets of a portfolio with no opt-in strategy. */
    public TargetAllocation(String eventId, String accountId, Instant occurredAt, String subscriptionId,
            String portfolioId, PortfolioStatus portfolioStatus, List<Weight> weights,
            List<RebalanceCondition> rebalanceConditions, Integer cooldownDays, Instant lastRebalancedAt,
            Instant portfolioUpdatedAt) {
        this(eventId, accountId, occurredAt, subscriptionId, portfolioId, portfolioStatus, weights, rebalanceConditions,
                cooldownDays, lastRebalancedAt, portfolioUpdatedAt, Strategies.NONE);
    }

    @Override
    @JsonProperty(value = "event_type", access = JsonProperty.Access.READ_ONLY)
    public String eventType() {
        return TYPE;
    }
}
