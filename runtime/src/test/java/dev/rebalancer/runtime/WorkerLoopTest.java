package dev.rebalancer.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerLoopTest {

    private static final Duration NEVER = Duration.ofHours(1);
    private final List<WorkerLoop> loops = new CopyOnWriteArrayList<>();

    private WorkerLoop loop(String name, Duration period, Duration stuckAfter, Runnable round) {
        WorkerLoop loop = new WorkerLoop(name, period, stuckAfter, round);
        loops.add(loop);
        return loop;
    }

    @AfterEach
    void closeLoops() {
        loops.forEach(loop -> loop.close(Duration.ofSeconds(1)));
    }

    @Test
    void runs_a_round_every_period_and_a_throwing_round_does_not_end_the_loop() {
        AtomicInteger rounds = new AtomicInteger();
        WorkerLoop loop = loop("periodic", Duration.ofMillis(10), NEVER, () -> {
            if (rounds.incrementAndGet() <= 3) {
                throw new IllegalStateException("database: connection refused");
            }
        }).start();

        await().atMost(Duration.ofSeconds(5)).until(() -> rounds.get() >= 6);
        WorkerLoop.Heartbeat beat = loop.heartbeat(Instant.now());
        assertThat(beat.lastEnded()).isPresent();
        assertThat(beat.lastError()).as("cleared by the rounds that succeeded after the failures").isEmpty();
        assertThat(beat.stuck()).isFalse();
    }

    @Test
    void wake_ups_during_a_round_are_one_round_after_it() throws Exception {
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch releaseFirst = new CountDownLatch(1);
        List<String> rounds = new CopyOnWriteArrayList<>();
        AtomicInteger label = new AtomicInteger();
        loop("coalescing", NEVER, NEVER, () -> {
            rounds.add("round after wake-up " + label.get());
            if (rounds.size() == 1) {
                inFirst.countDown();
                await().atMost(Duration.ofSeconds(5)).until(() -> releaseFirst.getCount() == 0);
            }
        });
        WorkerLoop loop = loops.get(0);

        loop.wake();
        assertThat(inFirst.await(5, TimeUnit.SECONDS)).isTrue();
        label.set(1);
        for (int i = 0; i < 100; i++) {
            loop.wake();
        }
        releaseFirst.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> rounds.size() >= 2);
        label.set(2);
        loop.wake();
        await().atMost(Duration.ofSeconds(5)).until(() -> rounds.size() >= 3);

        // One thread runs the rounds in the order asked: had the 100 wake-ups queued more than one round, they would
        // have run before the third.
        assertThat(rounds).containsExactly("round after wake-up 0", "round after wake-up 1", "round after wake-up 2");
    }

    @Test
    void wake_in_runs_a_round_after_the_delay() {
        AtomicInteger rounds = new AtomicInteger();
        WorkerLoop loop = loop("paced", NEVER, NEVER, rounds::incrementAndGet).start();

        loop.wakeIn(Duration.ofMillis(20));

        await().atMost(Duration.ofSeconds(5)).untilAtomic(rounds, org.hamcrest.Matchers.equalTo(1));
    }

    @Test
    void close_waits_for_the_round_in_flight_and_no_round_begins_after_it() throws Exception {
        CountDownLatch inRound = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger began = new AtomicInteger();
        AtomicBoolean finished = new AtomicBoolean();
        AtomicBoolean interrupted = new AtomicBoolean();
        WorkerLoop loop = loop("orderly", NEVER, NEVER, () -> {
            began.incrementAndGet();
            inRound.countDown();
            try {
                release.await();
                finished.set(true);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        }).start();
        loop.wake();
        assertThat(inRound.await(5, TimeUnit.SECONDS)).isTrue();
        loop.wakeIn(Duration.ofMillis(1)); // asked for before the stop: dropped by it

        CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> loop.close(Duration.ofSeconds(10)));
        await().atMost(Duration.ofSeconds(5)).until(() -> WorkerLoop.running().stream().noneMatch(l -> l == loop));
        assertThat(closing).as("the stop waits while the round is in flight").isNotDone();
        release.countDown();
        closing.get(5, TimeUnit.SECONDS);

        assertThat(finished).as("the round in flight ended by itself").isTrue();
        assertThat(interrupted).isFalse();
        loop.wake();
        loop.wakeIn(Duration.ZERO);
        assertThat(began).as("no round began after the stop, nor the one asked for before it").hasValue(1);
    }

    @Test
    void close_interrupts_a_round_that_outlasts_the_grace() throws Exception {
        CountDownLatch inRound = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        WorkerLoop loop = loop("overrunning", NEVER, NEVER, () -> {
            inRound.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        loop.wake();
        assertThat(inRound.await(5, TimeUnit.SECONDS)).isTrue();

        long start = System.nanoTime();
        loop.close(Duration.ofMillis(100));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(interrupted).isTrue();
    }

    @Test
    void a_round_running_past_stuck_after_makes_the_liveness_check_down_until_it_ends() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        WorkerLoop loop = loop("hung-relay", NEVER, Duration.ofMillis(50), () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }).start();
        WorkerLoopsLiveness liveness = new WorkerLoopsLiveness();
        assertThat(liveness.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);

        loop.wake();

        await().atMost(Duration.ofSeconds(5)).until(() -> liveness.call().getStatus() == HealthCheckResponse.Status.DOWN);
        assertThat(liveness.call().getData().orElseThrow().get("hung-relay")).asString().startsWith("stuck in a round since");
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> liveness.call().getStatus() == HealthCheckResponse.Status.UP);
        assertThat(liveness.call().getData().orElseThrow().get("hung-relay")).asString().startsWith("last round ended");
    }
}
