package dev.rebalancer.alpaca;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * Alpaca's per-account rate limit as a sliding one-minute window: a request waits rather than become the
 * (limit+1)-th of any minute. A 429, or an answer saying none remain, pauses every request until Alpaca's reset time.
 */
final class RequestBudget {

    /** Waits for a while; a seam so that tests can watch the waits instead of sitting through them. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final int perMinute;
    private final Clock clock;
    private final Sleeper sleeper;
    private final ArrayDeque<Instant> sent = new ArrayDeque<>();
    private Instant pausedUntil = Instant.MIN;

    RequestBudget(int perMinute, Clock clock, Sleeper sleeper) {
        this.perMinute = perMinute;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Blocks until one more request fits in the budget, and counts it. */
    void acquire() throws InterruptedException {
        while (true) {
            Duration wait;
            synchronized (this) {
                Instant now = clock.instant();
                while (!sent.isEmpty() && !sent.peekFirst().plus(WINDOW).isAfter(now)) {
                    sent.pollFirst();
                }
                if (now.isBefore(pausedUntil)) {
                    wait = Duration.between(now, pausedUntil);
                } else if (sent.size() < perMinute) {
                    sent.addLast(now);
                    return;
                } else {
                    wait = Duration.between(now, sent.peekFirst().plus(WINDOW));
                }
            }
            sleeper.sleep(wait);
        }
    }

    /** Holds every request back until {@code until}, e.g. Alpaca's {@code X-RateLimit-Reset}. */
    synchronized void pauseUntil(Instant until) {
        if (until.isAfter(pausedUntil)) {
            pausedUntil = until;
        }
    }
}
