package dev.rebalancer.runtime;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * The one worker loop of the services: a round of work on a thread of its own, every {@code period} and whenever
 * {@link #wake() woken} (wake-ups that arrive before the round they asked for has begun are that one round). A round
 * that throws is logged and the loop goes on. Its heartbeat — when the last round began and ended, and since when the
 * round in flight has been running — is what {@link WorkerLoopsLiveness} reports, so a thread stuck in a round is seen,
 * not silent. {@link #close()} stops it in order: no new round begins, the round in flight is given {@code grace} to
 * end, then interrupted.
 *
 * <p>Used by the outbox relay, the executor's run claims, the deposit poller and the notifier's delivery.
 */
public final class WorkerLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(WorkerLoop.class);
    /** The loops running now, for {@link WorkerLoopsLiveness}. */
    private static final Set<WorkerLoop> RUNNING = ConcurrentHashMap.newKeySet();

    private final String name;
    private final Duration period;
    private final Runnable round;
    private final Duration stuckAfter;
    private final ScheduledExecutorService thread;
    private final AtomicBoolean woken = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();
    private volatile Instant roundSince;
    private volatile Instant lastBegan;
    private volatile Instant lastEnded;
    private volatile String lastError;
    private volatile boolean closed;

    /**
     * @param name       names the thread, the log lines and the liveness data
     * @param period     the time between the end of one periodic round and the start of the next
     * @param stuckAfter how long one round may run before the liveness check calls the loop stuck
     * @param round      the work of one round
     */
    public WorkerLoop(String name, Duration period, Duration stuckAfter, Runnable round) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException(name + ": the period must be positive, not " + period);
        }
        this.name = name;
        this.period = period;
        this.round = round;
        this.stuckAfter = stuckAfter;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // a pacing wake-up is dropped by a stop
        this.thread = executor;
    }

    /** A loop called stuck when one round runs for more than twenty periods, and never under two minutes. */
    public WorkerLoop(String name, Duration period, Runnable round) {
        this(name, period, max(period.multipliedBy(20), Duration.ofMinutes(2)), round);
    }

    /** Starts the periodic rounds, the first one period from now. Once only. */
    public WorkerLoop start() {
        if (started.compareAndSet(false, true)) {
            RUNNING.add(this);
            thread.scheduleWithFixedDelay(this::run, period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
        }
        return this;
    }

    /** A round soon, on the loop's thread, even before {@link #start()}; none once closed. */
    public void wake() {
        if (woken.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    woken.set(false);
                    run();
                });
            } catch (RejectedExecutionException closed) {
                woken.set(false);
            }
        }
    }

    /** A round after {@code delay} (a pacing interval), besides the periodic ones. */
    public void wakeIn(Duration delay) {
        try {
            thread.schedule(this::run, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            // closed: no more rounds
        }
    }

    private void run() {
        if (closed) {
            return; // a wake-up already due when the stop came
        }
        roundSince = Instant.now();
        lastBegan = roundSince;
        try {
            round.run();
            lastError = null;
        } catch (RuntimeException e) {
            lastError = String.valueOf(e.getMessage());
            LOG.warnf("%s: round failed (%s); the loop goes on", name, e.getMessage());
        } finally {
            lastEnded = Instant.now();
            roundSince = null;
        }
    }

    /** What the loop is doing: for the liveness check and the logs. */
    public record Heartbeat(String name, Optional<Instant> roundSince, Optional<Instant> lastBegan,
            Optional<Instant> lastEnded, Optional<String> lastError, boolean stuck) {
    }

    public Heartbeat heartbeat(Instant now) {
        Instant since = roundSince;
        return new Heartbeat(name, Optional.ofNullable(since), Optional.ofNullable(lastBegan),
                Optional.ofNullable(lastEnded), Optional.ofNullable(lastError),
                since != null && since.plus(stuckAfter).isBefore(now));
    }

    public String name() {
        return name;
    }

    static List<WorkerLoop> running() {
        return List.copyOf(RUNNING);
    }

    /** Stops in order, giving the round in flight 10 s to end. */
    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /**
     * Stops: no round begins after this, the round in flight gets {@code grace} to end and is then interrupted.
     * Returns once the loop's thread is done (or, after the interrupt, has had another second to notice).
     */
    public void close(Duration grace) {
        closed = true;
        thread.shutdown();
        RUNNING.remove(this);
        try {
            if (!thread.awaitTermination(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                LOG.warnf("%s: the round in flight did not end within %d ms of the stop; interrupting it", name,
                        grace.toMillis());
                thread.shutdownNow();
                thread.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
