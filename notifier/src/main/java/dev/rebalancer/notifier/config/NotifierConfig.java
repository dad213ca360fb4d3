package dev.rebalancer.notifier.config;

import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import jakarta.validation.constraints.Min;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Positive;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
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

    /** Commands from the owner over Telegram: {@code /status}, {@code /drift}, {@code /runs}, {@code /halt}, … */
    Console console();

    /** portfolio-service's API, which the console and the weekly report read and the halt commands go through. */
    Portfolio portfolio();

    Report report();

    /**
     * Moves the notifier's idea of now (the weekly report's schedule, a confirmation's expiry) by this much, so that a
     * test or a demo can have Friday evening today. Zero in production.
     */
    @WithDefault("0s")
    Duration clockOffset();

    interface Console {
        /**
         * The Telegram user ids that may command (in the configured chat only). None: the console is off and nothing
         * is read from Telegram.
         */
        Optional<List<@Positive Long>> allowedUserIds();

        /** How long one getUpdates waits for a message (long polling); Telegram allows up to 50 s. */
        @WithDefault("25s")
        @DurationMin(seconds = 1)
        @DurationMax(seconds = 50)
        Duration pollTimeout();

        /** How long a /resume waits for its /confirm. */
        @WithDefault("2m")
        @DurationMin(seconds = 1)
        Duration confirmWithin();
    }

    interface Portfolio {
        /** e.g. {@code http://portfolio-service:8080}. */
        Optional<String> url();

        Optional<String> apiKey();

        Optional<String> apiSecret();

        @WithDefault("10s")
        @DurationMin(millis = 1)
        Duration timeout();
    }

    /** The weekly drift report, sent to the chat at this day and time (New York's by default: after Friday's close). */
    interface Report {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("friday")
        DayOfWeek day();

        @WithDefault("17:30")
        LocalTime time();

        @WithDefault("America/New_York")
        ZoneId zone();
    }

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
