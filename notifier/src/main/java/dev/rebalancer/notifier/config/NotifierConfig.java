package dev.rebalancer.notifier.config;

import org.hibernate.validator.constraints.time.DurationMin;
import jakarta.validation.constraints.Min;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The notifier's settings; the environment variables are in application.properties and the README. */
@ConfigMapping(prefix = "notifier")
public interface NotifierConfig {

    Telegram telegram();

    Delivery delivery();

    /** Which final runs get a summary: {@code problems} (ERROR, TIMEOUT, COMPLETED_ADJUSTED, CANCELED_MID_RUN) or {@code all}. */
    @WithDefault("problems")
    RunSummaries runSummaries();

    enum RunSummaries { PROBLEMS, ALL }

    interface Telegram {
        /** No token: every notification is written to the log as one JSON line instead. */
        Optional<String> botToken();

        Optional<String> chatId();

        @WithDefault("https://api.telegram.org")
        String apiUrl();

        @WithDefault("10s")
        @DurationMin(millis = 1)

        Duration timeout();
    }

    interface Delivery {
        /** At most one message per this interval to the chat (Telegram: about one a second). */
        @WithDefault("1s")
        @DurationMin(millis = 0)
        Duration perChatInterval();

        /** More non-critical alerts than this arriving within {@link #burstWindow()} go out as one digest. */
        @WithDefault("5")
        @Min(1)
        int burstSize();

        /** How long a non-critical alert waits for others of the same burst; critical ones do not wait. */
        @WithDefault("2s")
        Duration burstWindow();

        /** The first wait after a 5xx or no answer; doubled each time up to {@link #maxBackoff()}. */
        @WithDefault("1s")
        @DurationMin(millis = 1)
        Duration initialBackoff();

        @WithDefault("5m")
        @DurationMin(millis = 1)

        Duration maxBackoff();

        @WithDefault("200ms")
        @DurationMin(millis = 1)

        Duration tick();
    }
}
