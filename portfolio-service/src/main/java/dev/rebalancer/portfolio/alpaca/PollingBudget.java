package dev.rebalancer.portfolio.alpaca;

import dev.rebalancer.alpaca.KeySplit;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What this service's polling asks of each Alpaca key, against its share of the key's limit: a deposit poll is one
 * request ({@code GET /v2/account/activities}), a positions poll three (clock, account, positions). Accounts that
 * share a key share its limit. Intervals that cannot fit are refused with a message naming them, before anything
 * runs: polling past the share would take the requests the executors' orders and fill checks need.
 *
 * @param limit the key's requests a minute at Alpaca
 * @param share the part of it this service may use
 */
public record PollingBudget(int limit, double share) {

    static final int REQUESTS_PER_DEPOSIT_POLL = 1;
    static final int REQUESTS_PER_POSITIONS_POLL = 3;

    public PollingBudget {
        new KeySplit(limit, share);
    }

    /** The requests a minute this service may send on one key. */
    public int perMinute() {
        return new KeySplit(limit, share).portfolioPerMinute();
    }

    /** The requests a minute one account's polling sends at these intervals. */
    static int perAccount(Duration deposits, Duration positions) {
        return REQUESTS_PER_DEPOSIT_POLL * timesAMinute(deposits) + REQUESTS_PER_POSITIONS_POLL * timesAMinute(positions);
    }

    /**
     * Refuses polling that cannot fit in the share on any key; {@code accountsByKey} names the accounts of each key.
     */
    public void check(Map<String, List<String>> accountsByKey, Duration deposits, Duration positions) {
        int perAccount = perAccount(deposits, positions);
        accountsByKey.forEach((key, accounts) -> {
            int needed = perAccount * accounts.size();
            if (needed > perMinute()) {
                throw new IllegalStateException("DEPOSITS_INTERVAL=" + text(deposits) + " and POSITIONS_INTERVAL="
                        + text(positions) + " need " + needed + " Alpaca requests a minute on the key of "
                        + String.join(", ", accounts) + ", more than this service's share of " + perMinute()
                        + " (ALPACA_PORTFOLIO_SHARE=" + share + " of ALPACA_REQUESTS_PER_MINUTE=" + limit
                        + "; the rest is the executors'): lengthen an interval, or raise the share or the limit"
                        + " if the key allows more");
            }
        });
    }

    private static int timesAMinute(Duration interval) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalStateException("polling intervals must be positive, got " + text(interval));
        }
        return (int) Math.ceil(60_000.0 / interval.toMillis());
    }

    private static String text(Duration interval) {
        return interval.toMillis() % 1000 == 0 ? interval.toSeconds() + "s" : interval.toMillis() / 1000.0 + "s";
    }
}
