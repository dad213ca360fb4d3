package dev.rebalancer.rules;

import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.contracts.WeightType;
import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What the executor checks of every request before it can become a run: the last door before money moves, whatever
 * wrote the message. A request that fails is never traded on: it is dead-lettered with an alert saying why (and
 * portfolio-service's flow watchdog expects no run of it).
 */
public final class RequestCheck {

    private static final BigDecimal HUNDRED = new BigDecimal("100");

    private RequestCheck() {
    }

    /** Why the request cannot be traded on; empty when it can. */
    public static Optional<String> problem(RebalanceRequest request) {
        if (request.type().hasAmount() && request.amount().signum() <= 0) {
            return Optional.of(request.type().name().toLowerCase(java.util.Locale.ROOT) + " needs a positive amount, not "
                    + request.amount().toPlainString());
        }
        if (request.weights().isEmpty()) {
            return Optional.of("no weights");
        }
        BigDecimal total = BigDecimal.ZERO;
        Set<String> symbols = new HashSet<>();
        int cash = 0;
        for (Weight weight : request.weights()) {
            if (weight.percent().signum() <= 0 || weight.percent().compareTo(HUNDRED) > 0) {
                return Optional.of("a weight's percent must be above 0 and at most 100, not "
                        + weight.percent().toPlainString() + (weight.symbol() == null ? "" : " (" + weight.symbol() + ")"));
            }
            if (weight.type() == WeightType.CASH) {
                cash++;
            } else if (!symbols.add(weight.symbol())) {
                return Optional.of(weight.symbol() + " is weighted twice");
            }
            total = total.add(weight.percent());
        }
        if (cash > 1) {
            return Optional.of("cash is weighted twice");
        }
        if (total.compareTo(HUNDRED) != 0) {
            return Optional.of("the weights add up to " + total.toPlainString() + ", not 100");
        }
        return Optional.empty();
    }
}
