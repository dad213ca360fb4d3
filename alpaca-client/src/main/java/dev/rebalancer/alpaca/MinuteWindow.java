package dev.rebalancer.alpaca;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * One process's budget on a key as a sliding one-minute window: a request waits rather than become the (limit+1)-th
 * of any minute, whatever it is for. A 429, or an answer saying none remain, pauses every request until Alpaca's
 * reset time.
 */
final class MinuteWindow implements RequestBudget {

    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final int perMinute;
    private final Clock clock;
    private final Sleeper sleeper;
    private final ArrayDeque<Instant> sent = new ArrayDeque<>();
    private Instant pausedUntil = Instant.MIN;

    MinuteWindow(int perMinute, Clock clock, Sleeper sleeper) {
        this.perMinute = perMinute;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    @Override
    public void acquire(Purpose purpose) throws InterruptedException {
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

    @Override
    public synchronized java.util.OptionalInt remaining() {
        Instant now = clock.instant();
        if (now.isBefore(pausedUntil)) {
            return java.util.OptionalInt.of(0);
        }
        long inWindow = sent.stream().filter(at -> at.plus(WINDOW).isAfter(now)).count();
        return java.util.OptionalInt.of((int) Math.max(0, perMinute - inWindow));
    }

    @Override
    public synchronized void pauseUntil(Instant until) {
        if (until.isAfter(pausedUntil)) {
            pausedUntil = until;
        }
    }
}
