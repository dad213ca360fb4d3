package dev.rebalancer.chaos;

import dev.rebalancer.testing.infra.FakeBotApi;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveredOnceTest {

    private static final Instant AT = Instant.parse("2026-12-03T15:00:00Z");

    @Test
    void a_message_taken_again_after_its_answer_was_dropped_is_allowed() {
        Report.Invariant invariant = Invariants.deliveredOnce(List.of(
                FakeBotApi.Sent.text(1, AT, "*Trading halted*", true),
                FakeBotApi.Sent.text(2, AT, "*Trading halted*", false),
                FakeBotApi.Sent.text(3, AT, "*Run ERROR*", false)));

        assertThat(invariant.checked()).isEqualTo(3);
        assertThat(invariant.violations()).isEmpty();
    }

    @Test
    void a_message_taken_again_though_telegram_answered_it_is_a_violation() {
        Report.Invariant invariant = Invariants.deliveredOnce(List.of(
                FakeBotApi.Sent.text(1, AT, "*Trading halted*", false),
                FakeBotApi.Sent.text(2, AT, "*Run ERROR*", true),
                FakeBotApi.Sent.text(3, AT, "*Trading halted*", false)));

        assertThat(invariant.violations()).singleElement().asString()
                .startsWith("message 1 taken again though Telegram answered it");
    }
}
