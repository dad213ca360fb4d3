package dev.rebalancer.alpaca;

import java.time.Duration;
import java.time.Instant;

/**
 * Where a client's requests are counted against its Alpaca key's limit (200 a minute per account). A client counts
 * every request it sends, retries included, waiting rather than exceeding the budget; a 429, or an answer saying none
 * remain, pauses every request on the key until Alpaca's reset time. A budget may be one process's alone (a sliding
 * minute, the client's default) or shared by every process on the key (the order executor's replicas share theirs
 * through their database).
 */
public interface RequestBudget {

    /**
     * What a request is for. Near the limit, a budget that ranks them admits the money-moving ones first: orders and
     * fill checks before reads, reads of a run before background polling.
     */
    enum Purpose {
        /** Creates or cancels an order. */
        ORDER,
        /** Looks up orders: fills, and orders whose submission had no answer. */
        FILL_CHECK,
        /** Any other read made while trading. */
        READ,
        /** Reads nobody is waiting on: polling, discovery, catalogues. */
        BACKGROUND
    }

    /** Waits for a while; a seam so that tests can watch the waits instead of sitting through them. */
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;

        Sleeper THREAD = duration -> Thread.sleep(Math.max(1, duration.toMillis()));
    }

    /** Blocks until one more request for this purpose fits in the budget, and counts it. */
    void acquire(Purpose purpose) throws InterruptedException;

    /** Holds every request on the key back until {@code until}, e.g. Alpaca's {@code X-RateLimit-Reset}. */
    void pauseUntil(Instant until);

    /** Requests the budget would still admit in the current minute, if it can tell (for metrics). */
    default java.util.OptionalInt remaining() {
        return java.util.OptionalInt.empty();
    }
}
