package dev.rebalancer.alpaca;

/**
 * How one Alpaca key's limit is split between the services on it: portfolio-service's polling takes
 * {@code portfolioShare} of it, the order executors (all replicas together) the rest. Both services read the same two
 * settings, {@code ALPACA_REQUESTS_PER_MINUTE} and {@code ALPACA_PORTFOLIO_SHARE}, so their parts add up to the key's
 * limit.
 *
 * @param limit          the key's requests a minute at Alpaca (200)
 * @param portfolioShare the part portfolio-service may use, between 0 and 1
 */
public record KeySplit(int limit, double portfolioShare) {

    public KeySplit {
        if (limit < 2) {
            throw new IllegalStateException("ALPACA_REQUESTS_PER_MINUTE must be at least 2, got " + limit);
        }
        if (!(portfolioShare > 0 && portfolioShare < 1)) {
            throw new IllegalStateException("ALPACA_PORTFOLIO_SHARE must be between 0 and 1 (the rest is the"
                    + " executors'), got " + portfolioShare);
        }
    }

    /** The requests a minute portfolio-service may send on the key. */
    public int portfolioPerMinute() {
        return Math.min(limit - 1, Math.max(1, (int) Math.floor(limit * portfolioShare)));
    }

    /** The requests a minute the executors, all replicas together, may send on the key. */
    public int executorsPerMinute() {
        return limit - portfolioPerMinute();
    }
}
