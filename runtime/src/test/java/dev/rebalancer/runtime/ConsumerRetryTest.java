package dev.rebalancer.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConsumerRetryTest {

    private final List<String> alarms = new CopyOnWriteArrayList<>();

    private final ConsumerRetry.Alarm alarm = new ConsumerRetry.Alarm() {
        @Override
        public void stalled(String channel, Duration stalledFor, String error) {
            alarms.add("stalled " + channel + ": " + error);
        }

        @Override
        public void recovered(String channel, Duration stalledFor) {
            alarms.add("recovered " + channel);
        }
    };

    @Test
    void a_failing_message_is_retried_until_it_applies_and_applied_once() {
        ConsumerRetry retry = new ConsumerRetry(Duration.ofMillis(1), Duration.ofMillis(4), Duration.ofHours(1),
                () -> alarm);
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger applied = new AtomicInteger();

        retry.untilApplied("requests", () -> {
            if (attempts.incrementAndGet() < 5) {
                throw new IllegalStateException("database: connection refused");
            }
            applied.incrementAndGet();
        });

        assertThat(attempts).hasValue(5);
        assertThat(applied).hasValue(1);
        assertThat(retry.stalls()).isEmpty();
        assertThat(alarms).as("no alarm before alert-after").isEmpty();
    }

    @Test
    void a_channel_stuck_past_alert_after_raises_the_alarm_once_and_tells_when_it_recovers() {
        ConsumerRetry retry = new ConsumerRetry(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(30),
                () -> alarm);
        long start = System.nanoTime();
        AtomicInteger attempts = new AtomicInteger();

        retry.untilApplied("control", () -> {
            attempts.incrementAndGet();
            if (System.nanoTime() - start < Duration.ofMillis(120).toNanos()) {
                assertThat(retry.stalls()).containsOnlyKeys(attempts.get() == 1 ? List.of() : List.of("control"));
                throw new IllegalStateException("database: the database system is shutting down");
            }
        });

        assertThat(attempts.get()).isGreaterThan(3);
        assertThat(alarms).containsExactly(
                "stalled control: IllegalStateException: database: the database system is shutting down",
                "recovered control");
        assertThat(retry.stalls()).isEmpty();
    }

    @Test
    void a_stopping_service_leaves_the_message_unapplied_rather_than_skipping_it() {
        ConsumerRetry retry = new ConsumerRetry(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofHours(1),
                () -> null);
        AtomicInteger attempts = new AtomicInteger();

        assertThatThrownBy(() -> retry.untilApplied("runs", () -> {
            if (attempts.incrementAndGet() == 3) {
                retry.stop();
            }
            throw new IllegalStateException("database: gone");
        })).isInstanceOf(ConsumerRetry.Stopped.class).hasMessageContaining("runs");
        assertThat(attempts).hasValue(3);
        assertThat(retry.stalls()).isEmpty();
    }

    @Test
    void messages_of_one_channel_stuck_at_once_raise_one_alarm_and_one_recovery_after_the_last() throws Exception {
        ConsumerRetry retry = new ConsumerRetry(Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(20),
                () -> alarm);
        java.util.concurrent.atomic.AtomicBoolean firstDown = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicBoolean secondDown = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            AtomicInteger firstAttempts = new AtomicInteger();
            AtomicInteger secondAttempts = new AtomicInteger();
            var first = threads.submit(() -> retry.untilApplied("requests", () -> {
                firstAttempts.incrementAndGet();
                if (firstDown.get()) {
                    throw new IllegalStateException("database: connection refused");
                }
            }));
            var second = threads.submit(() -> retry.untilApplied("requests", () -> {
                secondAttempts.incrementAndGet();
                if (secondDown.get()) {
                    throw new IllegalStateException("database: connection refused");
                }
            }));
            // 20 attempts at 1-2 ms apart: each message has been stuck past alert-after.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> firstAttempts.get() > 20 && secondAttempts.get() > 20);

            firstDown.set(false);
            first.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(retry.stalls()).as("the other message still cannot be applied").containsOnlyKeys("requests");

            secondDown.set(false);
            second.get(5, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(retry.stalls()).isEmpty();
            assertThat(alarms).containsExactly("stalled requests: IllegalStateException: database: connection refused",
                    "recovered requests");
        } finally {
            threads.shutdownNow();
        }
    }
}
