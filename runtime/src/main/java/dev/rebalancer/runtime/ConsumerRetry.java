package dev.rebalancer.runtime;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Applies a consumed message until it is applied: a failure (the database gone for a while, a lock timeout) is retried
 * in the consumer's own thread with backoff, so the offset stays uncommitted and the partition's later messages wait.
 * Nothing is dead-lettered here; a handler dead-letters an unreadable message itself, as part of its work. While a
 * channel cannot make progress the service's readiness is DOWN ({@link ConsumersReadiness}); once it has been stuck for
 * {@code rebalancer.consumers.alert-after} the service's {@link Alarm} is raised, and told again when it recovers.
 * Liveness is untouched: a database failover must not get every consumer restarted. A channel that handles several
 * messages at once (one per account) is one channel here: stalled while any of its messages is, with one alarm raised
 * when the first is past {@code alert-after} and one recovery told when the last of those is applied.
 */
@ApplicationScoped
public class ConsumerRetry {

    private static final Logger LOG = Logger.getLogger(ConsumerRetry.class);

    /** How a service raises the alarm when a consumer is stuck; it must not need the database that may be gone. */
    public interface Alarm {
        void stalled(String channel, Duration stalledFor, String error);

        void recovered(String channel, Duration stalledFor);
    }

    /** The service is stopping while a message was still being retried: it stays uncommitted, and comes again. */
    public static final class Stopped extends RuntimeException {
        Stopped(String channel, Throwable last) {
            super("stopping while a message of " + channel + " was not applied", last);
        }
    }

    /** A channel that cannot make progress: since when, how many attempts so far, and the last error. */
    public record Stall(String channel, Instant since, int attempts, String lastError) {
    }

    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration alertAfter;
    private final Supplier<Alarm> alarm;
    /** The messages being retried now, each under a token of its own. */
    private final Map<Object, Stall> stalls = new ConcurrentHashMap<>();
    /** Per channel, the messages being retried whose stall has been alerted. */
    private final Map<String, Integer> alertedMessages = new java.util.HashMap<>();
    private final Object sleeper = new Object();
    private volatile boolean stopping;

    @Inject
    ConsumerRetry(ConsumersConfig config, Instance<Alarm> alarms) {
        this(config.initialBackoff(), config.maxBackoff(), config.alertAfter(),
                () -> alarms.isResolvable() ? alarms.get() : null);
    }

    ConsumerRetry(Duration initialBackoff, Duration maxBackoff, Duration alertAfter, Supplier<Alarm> alarm) {
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.alertAfter = alertAfter;
        this.alarm = alarm;
    }

    /**
     * Runs the work until it returns; every exception it throws is retried after a backoff that doubles up to the
     * maximum. Only a stopping service ends the attempts, with {@link Stopped}.
     */
    public void untilApplied(String channel, Runnable work) {
        Object token = new Object();
        Stall stall = null;
        boolean alerted = false;
        long backoff = Math.max(1, initialBackoff.toMillis());
        while (true) {
            try {
                work.run();
                if (stall != null) {
                    stalls.remove(token);
                    Duration stalledFor = Duration.between(stall.since(), Instant.now());
                    LOG.infof("%s: applied after %d attempts over %s", channel, stall.attempts() + 1, stalledFor);
                    if (alerted && alertEnded(channel)) {
                        raise(alarm -> alarm.recovered(channel, stalledFor));
                    }
                }
                return;
            } catch (RuntimeException e) {
                String error = e.getClass().getSimpleName() + ": " + e.getMessage();
                stall = stall == null
                        ? new Stall(channel, Instant.now(), 1, error)
                        : new Stall(channel, stall.since(), stall.attempts() + 1, error);
                stalls.put(token, stall);
                if (stall.attempts() == 1 || backoff < maxBackoff.toMillis()) {
                    LOG.warnf("%s: not applied (attempt %d), retrying in %d ms: %s", channel, stall.attempts(),
                            backoff, error);
                }
                Duration stalledFor = Duration.between(stall.since(), Instant.now());
                if (!alerted && stalledFor.compareTo(alertAfter) >= 0) {
                    alerted = true;
                    LOG.errorf("%s: no progress for %s: %s", channel, stalledFor, error);
                    if (alertBegan(channel)) {
                        raise(alarm -> alarm.stalled(channel, stalledFor, error));
                    }
                }
                if (!pause(backoff)) {
                    stalls.remove(token);
                    if (alerted) {
                        alertEnded(channel);
                    }
                    throw new Stopped(channel, e);
                }
                backoff = Math.min(backoff * 2, Math.max(1, maxBackoff.toMillis()));
            }
        }
    }

    /** The channels that cannot make progress now, each with its longest-stalled message. */
    public Map<String, Stall> stalls() {
        Map<String, Stall> byChannel = new java.util.HashMap<>();
        stalls.values().forEach(stall -> byChannel.merge(stall.channel(), stall,
                (a, b) -> a.since().isAfter(b.since()) ? b : a));
        return Map.copyOf(byChannel);
    }

    /** True when this is the channel's first alerted message (its alarm is to be raised). */
    private synchronized boolean alertBegan(String channel) {
        return alertedMessages.merge(channel, 1, Integer::sum) == 1;
    }

    /** True when this was the channel's last alerted message (its recovery is to be told). */
    private synchronized boolean alertEnded(String channel) {
        int left = alertedMessages.merge(channel, -1, Integer::sum);
        if (left <= 0) {
            alertedMessages.remove(channel);
            return true;
        }
        return false;
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    @PreDestroy
    void stop() {
        stopping = true;
        synchronized (sleeper) {
            sleeper.notifyAll();
        }
    }

    /** Waits the backoff; false when the service is stopping. */
    private boolean pause(long millis) {
        long until = System.nanoTime() + millis * 1_000_000;
        synchronized (sleeper) {
            while (!stopping) {
                long left = (until - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return true;
                }
                try {
                    sleeper.wait(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return false;
    }

    private void raise(Consumer<Alarm> call) {
        Alarm target = alarm.get();
        if (target == null) {
            return;
        }
        try {
            call.accept(target);
        } catch (RuntimeException e) {
            LOG.errorf(e, "the alarm itself failed");
        }
    }
}
