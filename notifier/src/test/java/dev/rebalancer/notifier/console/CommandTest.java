package dev.rebalancer.notifier.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.notifier.console.Console.Command;
import org.junit.jupiter.api.Test;

class CommandTest {

    @Test
    void a_command_is_the_first_word_after_a_slash_without_the_bot_name_and_the_rest_is_its_argument() {
        Command command = Command.parse(41, "-100", 7, "alice", "  /Halt@rebalancer_bot  markets gone wild ").orElseThrow();

        assertThat(command.name()).isEqualTo("halt");
        assertThat(command.argument()).isEqualTo("markets gone wild");
        assertThat(command.requestedBy()).isEqualTo("telegram:7 (@alice)");
        assertThat(command.idempotencyKey()).isEqualTo("telegram-update:41");
        assertThat(Command.parse(42, "-100", 7, null, "/status").orElseThrow().requestedBy()).isEqualTo("telegram:7");
    }

    @Test
    void text_that_is_not_a_command_is_none() {
        assertThat(Command.parse(1, "1", 7, null, "hello /status")).isEmpty();
        assertThat(Command.parse(1, "1", 7, null, "/")).isEmpty();
        assertThat(Command.parse(1, "1", 7, null, null)).isEmpty();
    }

    @Test
    void a_resume_code_is_four_digits_the_same_for_the_same_update_and_unlike_another_installations() {
        Console one = new Console(null, null, java.time.Duration.ofMinutes(2), "123:secret-one");
        Console other = new Console(null, null, java.time.Duration.ofMinutes(2), "123:secret-two");

        assertThat(one.code(5)).matches("\\d{4}").isEqualTo(one.code(5));
        java.util.Set<String> codes = new java.util.HashSet<>();
        for (long update = 0; update < 50; update++) {
            codes.add(one.code(update));
        }
        assertThat(codes).as("codes differ from update to update").hasSizeGreaterThan(40);
        int same = 0;
        for (long update = 0; update < 50; update++) {
            same += one.code(update).equals(other.code(update)) ? 1 : 0;
        }
        assertThat(same).isLessThan(5);
    }
}
