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
}
