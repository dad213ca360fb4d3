package dev.rebalancer.executor.runs;

import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.executor.alpaca.Brokers;
import dev.rebalancer.executor.config.ExecutorConfig;
import dev.rebalancer.runtime.WorkerLoop;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Takes runs from the database and drives them, one account at a time per account and up to
 * {@code rebalancer.runs.parallel-accounts} accounts at once. A run is held by a lease that its driver renews; when an
 * instance dies its runs are taken over once their leases lapse.
 */
@ApplicationScoped
public class RunWorkers {

    private static final Logger LOG = Logger.getLogger(RunWorkers.class);
    private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(5);
    private static final Duration LONGEST_BACKOFF = Duration.ofMinutes(5);
    /**
     * A driver's lease is written again only once a tenth of it has passed since it was last written: a run asks to
     * renew after every answer from Alpaca, and each write is a database transaction.
     */
    private static final int RENEWALS_PER_LEASE = 10;

    private final RunStore store;
    private final RunDriver driver;
    private final TradingHaltState haltState;
    private final ExecutorConfig.Runs settings;
    private final Set<String> busyAccounts = ConcurrentHashMap.newKeySet();
    private final java.util.Map<String, Instant> lastSettled = new ConcurrentHashMap<>();
    private volatile String owner;
    /** When orders left open by ended runs were last looked for. */
    private volatile Instant leftoversLookedAt = Instant.EPOCH;
    private volatile WorkerLoop claims;
    /** Accounts driven at the same time: the drivers' pool size, fixed at start. */
    private volatile int parallel;
    private volatile ExecutorService drivers;

    RunWorkers(RunStore store, RunDriver driver, TradingHaltState haltState, ExecutorConfig config) {
        this.store = store;
        this.driver = driver;
        this.haltState = haltState;
        this.settings = config.runs();
    }

    void onStart(@Observes StartupEvent event) {
        start();
    }

    synchronized void start() {
        owner = "executor-" + UUID.randomUUID();
        busyAccounts.clear();
        parallel = settings.drivers();
        drivers = Executors.newFixedThreadPool(parallel, r -> new Thread(r, "run-driver"));
        claims = new WorkerLoop("run-claims", settings.tick(), this::claimAll).start();
        LOG.infof("run workers started as %s (%d accounts at a time)", owner, parallel);
    }

    /** Stops at once, as a crash would: drivers are interrupted mid-step and their leases are left to lapse. */
    public synchronized void kill() {
        claims.close(Duration.ZERO);
        drivers.shutdownNow();
        try {
            drivers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A new instance of the workers, under a new identity, after {@link #kill()}. */
    public synchronized void restart() {
        start();
    }

    /** Looks for runs soon (a new run arrived, or one ended). */
    public void wake() {
        WorkerLoop current = claims;
        if (current != null) { // null before start-up
            current.wake();
        }
    }

    private void claimAll() {
        // While halted, only runs to be canceled are taken: canceling sends no order, and cancels open ones.
        boolean halted = haltState.halted();
        while (busyAccounts.size() < parallel) {
            long claimedAt = System.nanoTime(); // no later than the lease the claim writes begins
            Optional<RunStore.Claim> claim = store.claim(owner, settings.lease(), Set.copyOf(busyAccounts), halted);
            if (claim.isEmpty()) {
                break;
            }
            busyAccounts.add(claim.get().accountId());
            drivers.execute(() -> drive(claim.get(), claimedAt));
        }
        settleLeftovers();
    }

    /**
     * Orders that ended runs left open at Alpaca (cancels unconfirmed in time) are looked at again, at most once a
     * poll interval per account, halt or not: their accounts' next runs wait on them.
     */
    private void settleLeftovers() {
        int free = parallel - busyAccounts.size();
        Instant now = Instant.now();
        if (free <= 0 || now.isBefore(leftoversLookedAt.plus(settings.tick()))) {
            return; // looked for at most once a tick, however often the workers are woken
        }
        leftoversLookedAt = now;
        for (String account : store.accountsWithLeftovers(Set.copyOf(busyAccounts), free)) {
            Instant last = lastSettled.get(account);
            if (last != null && last.plus(settings.pollInterval()).isAfter(now) || !busyAccounts.add(account)) {
                continue;
            }
            lastSettled.put(account, now);
            drivers.execute(() -> {
                try {
                    driver.settleLeftovers(account);
                } catch (RuntimeException e) {
                    LOG.warnf("orders left open for account %s not looked at: %s", account, e.getMessage());
                } finally {
                    busyAccounts.remove(account);
                }
            });
        }
    }

    private void drive(RunStore.Claim claim, long claimedAt) {
        Fence fence = claim.fence();
        String runId = fence.runId();
        // Every line logged while driving the run says whose it is (fields of the JSON log).
        dev.rebalancer.runtime.LogContext context = dev.rebalancer.runtime.LogContext.of(claim.accountId(), runId, null);
        AtomicBoolean released = new AtomicBoolean();
        long renewEvery = settings.lease().dividedBy(RENEWALS_PER_LEASE).toNanos();
        RunDriver.Lease lease = new RunDriver.Lease() {
            /** When the lease was last extended (the claim extended it first). */
            private long renewedAt = claimedAt;

            @Override
            public Fence fence() {
                return fence;
            }

            @Override
            public void renew() {
                long now = System.nanoTime();
                if (now - renewedAt < renewEvery) {
                    return; // nine tenths of it left: every write checks the fence anyway
                }
                if (!store.renew(fence, settings.lease())) {
                    throw new Fence.Lost(fence);
                }
                renewedAt = now;
            }

            @Override
            public void release(Instant notBefore) {
                store.release(fence, notBefore);
                released.set(true);
            }
        };
        try {
            driver.drive(runId, lease);
            if (!released.get()) {
                store.release(fence, null);
            }
        } catch (Checkpoints.Killed killed) {
            LOG.infof("executor killed while driving run %s (%s)", runId, killed.getMessage());
            return;
        } catch (Fence.Lost e) {
            LOG.warnf("%s: stopped without writing", e.getMessage());
        } catch (AlpacaException.Unauthorized e) {
            safely(() -> store.finish(fence, RunStatus.ERROR, "Alpaca refused the account's keys: " + e.alpacaMessage()));
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted() || drivers.isShutdown()) {
                return; // killed
            }
            boolean alpacaAway = e instanceof Brokers.NotYetKnown || e instanceof AlpacaException.RateLimited
                    || (e instanceof AlpacaException alpaca && alpaca.outcomeUnknown()); // a 5xx or no answer
            if (alpacaAway) {
                alpacaAway(fence, e);
            } else {
                failed(fence, e);
            }
        } finally {
            busyAccounts.remove(claim.accountId());
            context.close();
        }
        wake();
    }

    /** Alpaca could not be asked just now (an outage, its rate limit): waited out, never counted as the run's failure. */
    private void alpacaAway(Fence fence, RuntimeException e) {
        LOG.infof("run %s: %s; trying again in %d s", fence.runId(), e.getMessage(), RETRY_AFTER_FAILURE.toSeconds());
        safely(() -> store.release(fence, Instant.now().plus(RETRY_AFTER_FAILURE)));
    }

    /** A failure of the run's own: counted toward rebalancer.runs.give-up-after, and retried after a backoff. */
    private void failed(Fence fence, RuntimeException e) {
        safely(() -> {
            Duration backoff = backoff(store.run(fence.runId()).map(Run::failures).orElse(0));
            LOG.warnf(e, "run %s: %s; trying again in %d ms", fence.runId(), e.getMessage(), backoff.toMillis());
            store.failed(fence, Instant.now().plus(backoff), String.valueOf(e.getMessage()));
        });
    }

    /** The wait after the run's {@code failures + 1}th failure in a row: doubling from the configured first, capped. */
    private Duration backoff(int failures) {
        Duration wait = settings.retryBackoff();
        for (int i = 0; i < failures && wait.compareTo(LONGEST_BACKOFF) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(LONGEST_BACKOFF) > 0 ? LONGEST_BACKOFF : wait;
    }

    private static void safely(Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            LOG.warnf("could not record what became of a run: %s", e.getMessage());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        claims.close();
        drivers.shutdownNow();
    }
}
