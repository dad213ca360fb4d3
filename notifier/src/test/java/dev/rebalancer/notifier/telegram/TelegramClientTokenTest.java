package dev.rebalancer.notifier.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TelegramClientTokenTest {

    static final String TOKEN = "123456789:AAH-secret_Token4Tests";

    @Test
    void a_token_pasted_with_a_line_break_around_it_works() {
        assertThat(TelegramClient.validToken(TOKEN + "\n")).isEqualTo(TOKEN);
        assertThat(TelegramClient.validToken("  " + TOKEN)).isEqualTo(TOKEN);
    }

    @Test
    void a_token_broken_inside_is_refused_without_showing_it() {
        for (String broken : new String[] {"123456789:AAH-secret\n_Token4Tests", "123456789:AAH secret_Token4Tests",
                "\"" + TOKEN + "\"", "AAH-secret_Token4Tests"}) {
            assertThatThrownBy(() -> new TelegramClient("https://api.telegram.org", broken, "42", Duration.ofSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("TELEGRAM_BOT_TOKEN")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret").doesNotContain("Token4Tests"));
        }
    }
}
