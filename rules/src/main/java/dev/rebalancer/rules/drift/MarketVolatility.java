package dev.rebalancer.rules.drift;

import dev.rebalancer.contracts.VolatilityFilter;
import dev.rebalancer.contracts.VolatilityReading;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The market's latest volatility reading from each source, as portfolio-service publishes them: the drift monitor
 * learns each one (a reading of an earlier day than the one known is kept out), and the volatility filter asks for the
 * reading of the source a portfolio chose.
 */
public final class MarketVolatility {

    private final Map<VolatilityFilter.Source, VolatilityReading> latest = new ConcurrentHashMap<>();

    public void learn(VolatilityReading reading) {
        latest.merge(reading.source(), reading, (known, next) -> next.asOf().isBefore(known.asOf()) ? known : next);
    }

    public Optional<VolatilityReading> reading(VolatilityFilter.Source source) {
        return Optional.ofNullable(latest.get(source));
    }
}
