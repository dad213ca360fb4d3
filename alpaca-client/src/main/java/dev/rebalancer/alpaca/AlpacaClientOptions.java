package dev.rebalancer.alpaca;

import java.time.Duration;

/**
 * How a client behaves toward Alpaca.
 *
 * @param connectTimeout    how long to wait for a connection
 * @param requestTimeout    how long to wait for a whole answer; every call has one
 * @param requestsPerMinute the per-account budget the client never exceeds (Alpaca allows 200)
 * @param maxAttempts       attempts of a call where repeating is safe (reads; any call refused with 429)
 * @param initialBackoff    the first wait between attempts; doubled each time
 * @param maxBackoff        the longest wait between attempts, and between stream reconnects
 */
public record AlpacaClientOptions(
        Duration connectTimeout,
        Duration requestTimeout,
        int requestsPerMinute,
        int maxAttempts,
        Duration initialBackoff,
        Duration maxBackoff) {

    public static final int ALPACA_REQUESTS_PER_MINUTE = 200;

    public AlpacaClientOptions {
        if (requestsPerMinute < 1) {
            throw new IllegalArgumentException("requestsPerMinute must be at least 1");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    public static AlpacaClientOptions defaults() {
        return new AlpacaClientOptions(Duration.ofSeconds(5), Duration.ofSeconds(10), ALPACA_REQUESTS_PER_MINUTE, 4,
                Duration.ofMillis(250), Duration.ofSeconds(30));
    }

    public AlpacaClientOptions withRequestTimeout(Duration timeout) {
        return new AlpacaClientOptions(connectTimeout, timeout, requestsPerMinute, maxAttempts, initialBackoff,
                maxBackoff);
    }

    public AlpacaClientOptions withRequestsPerMinute(int perMinute) {
        return new AlpacaClientOptions(connectTimeout, requestTimeout, perMinute, maxAttempts, initialBackoff,
                maxBackoff);
    }

    public AlpacaClientOptions withBackoff(Duration initial, Duration max) {
        return new AlpacaClientOptions(connectTimeout, requestTimeout, requestsPerMinute, maxAttempts, initial, max);
    }
}
