package dev.rebalancer.portfolio.alpaca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Polling that cannot fit in portfolio-service's share of an Alpaca key is refused at start, by name. */
class PollingBudgetTest {

    private static final PollingBudget ALPACA = new PollingBudget(200, 0.65);

    @Test
    void the_defaults_and_the_local_stacks_half_second_deposit_polling_fit() {
        assertThat(ALPACA.perMinute()).isEqualTo(130);
        // 4 deposit polls and one positions poll (3 requests) a minute
        assertThat(PollingBudget.perAccount(Duration.ofSeconds(15), Duration.ofSeconds(60))).isEqualTo(7);
        // the local stack: 120 deposit polls, 3 for positions
        assertThat(PollingBudget.perAccount(Duration.ofMillis(500), Duration.ofSeconds(60))).isEqualTo(123);
        assertThatCode(() -> ALPACA.check(Map.of("sim-key", List.of("main")), Duration.ofMillis(500),
                Duration.ofSeconds(60))).doesNotThrowAnyException();
    }

    @Test
    void intervals_that_need_more_than_the_share_are_refused_naming_them_and_the_numbers() {
        assertThatThrownBy(() -> ALPACA.check(Map.of("sim-key", List.of("main")), Duration.ofMillis(500),
                Duration.ofSeconds(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("DEPOSITS_INTERVAL=0.5s and POSITIONS_INTERVAL=2s need 210 Alpaca requests")
                .hasMessageContaining("share of 130")
                .hasMessageContaining("ALPACA_PORTFOLIO_SHARE=0.65 of ALPACA_REQUESTS_PER_MINUTE=200");
        assertThatCode(() -> new PollingBudget(2000, 0.65).check(Map.of("sim-key", List.of("main")),
                Duration.ofMillis(500), Duration.ofSeconds(2))).as("a key allowed 2,000 a minute")
                .doesNotThrowAnyException();
    }

    @Test
    void accounts_behind_one_key_share_its_limit() {
        Map<String, List<String>> shared = Map.of("advisor-key", List.of("alice", "bob"));

        assertThatCode(() -> ALPACA.check(shared, Duration.ofSeconds(1), Duration.ofSeconds(60)))
                .doesNotThrowAnyException(); // 2 × 63
        assertThatThrownBy(() -> ALPACA.check(shared, Duration.ofMillis(500), Duration.ofSeconds(60)))
                .hasMessageContaining("need 246").hasMessageContaining("alice, bob");
    }

    @Test
    void a_share_outside_zero_to_one_or_an_interval_of_zero_is_refused() {
        assertThatThrownBy(() -> new PollingBudget(200, 1.0)).hasMessageContaining("ALPACA_PORTFOLIO_SHARE");
        assertThatThrownBy(() -> new PollingBudget(0, 0.5)).hasMessageContaining("ALPACA_REQUESTS_PER_MINUTE");
        assertThatThrownBy(() -> ALPACA.check(Map.of("k", List.of("a")), Duration.ZERO, Duration.ofSeconds(60)))
                .hasMessageContaining("positive");
    }
}
