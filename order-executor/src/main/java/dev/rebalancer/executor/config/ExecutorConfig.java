package dev.rebalancer.executor.config;

import org.hibernate.validator.constraints.time.DurationMin;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The order executor's settings; endpoints and secrets come from the environment. */
@ConfigMapping(prefix = "rebalancer")
public interface ExecutorConfig {

    /** The Alpaca accounts this installation trades, by a name of your choosing (the same as the portfolio service's). */
    Map<String, Account> accounts();

    Runs runs();

    Alpaca alpaca();

    Control control();

    /** Whether the outbox relay publishes by itself (off only in tests that look at unpublished events). */
    @WithDefault("true")
    boolean outboxRelay();

    /** How Alpaca's limit on each key is shared: the same two settings as portfolio-service's. */
    interface Alpaca {
        /** The key's requests a minute at Alpaca. */
        @WithDefault("200")
        @Min(2)
        int requestsPerMinute();

        /** The part of them portfolio-service's polling uses; the executors, all replicas together, share the rest. */
        @WithDefault("0.65")
        @DecimalMin(value = "0", inclusive = false) @DecimalMax(value = "1", inclusive = false)
        double portfolioShare();
    }

    interface Control {
        /**
         * How often portfolio-service announces the halt switch's state (the same setting there): after three
         * intervals without a word the executor holds every order, and says so.
         */
        @WithDefault("30s")
        @DurationMin(millis = 1)
        Duration announceInterval();
    }

    interface Account {
        /** Alpaca API key id; an account without one is not traded. */
        Optional<String> apiKeyId();

        /** Alpaca API secret key. */
        Optional<String> apiSecretKey();

        /** Alpaca paper or live, or the simulator. */
        @WithDefault("https://paper-api.alpaca.markets")
        URI baseUrl();

        /** Record plans and send no orders; on by default for live accounts. */
        Optional<Boolean> dryRun();
    }

    interface Runs {
        /** Cash kept back from every plan, in basis points of equity. */
        @WithDefault("25")
        @Min(0) @Max(10_000)
        int reserveBasisPoints();

        /**
         * Accounts whose runs are driven at the same time by this instance ({@code PARALLEL_ACCOUNTS}). Unset:
         * {@link #RUNS_PER_CORE} per core — a run mostly waits on Alpaca (its answers, its fills), so a payday's
         * deposits should not queue behind a handful of them.
         */
        @Min(1)
        java.util.OptionalInt parallelAccounts();

        /** Runs driven at the same time per core when {@code parallel-accounts} is unset. */
        int RUNS_PER_CORE = 32;

        /** The accounts driven at the same time. */
        default int drivers() {
            return parallelAccounts().orElse(RUNS_PER_CORE * Runtime.getRuntime().availableProcessors());
        }

        /** How long the orders of one phase may take to reach a final status before the run ends TIMEOUT. */
        @WithDefault("5m")
        @DurationMin(millis = 1)
        Duration fillTimeout();

        /**
         * How long a run that cancels its orders (timeout, cancel, error) waits for Alpaca to confirm each canceled (or
         * filled meanwhile) before it ends; orders still open then are named in an alert, and the account's next run
         * waits until they have ended.
         */
        @WithDefault("1m")
        @DurationMin(millis = 1)
        Duration cancelTimeout();

        /** How often open orders are looked up while the trade_updates stream is down. */
        @WithDefault("1s")
        @DurationMin(millis = 1)
        Duration pollInterval();

        /** How often open orders are looked up even while the stream is up (a missed message is not waited on forever). */
        @WithDefault("15s")
        @DurationMin(millis = 1)
        Duration streamCheckInterval();

        /** How long a run stays with the instance driving it without a sign of life (another takes it over then). */
        @WithDefault("30s")
        @DurationMin(millis = 1)
        Duration lease();

        /**
         * A phase interrupted (halt, outage) for longer than this has its unsent orders planned anew from the account
         * as it is then; so has one interrupted across a market close, however briefly.
         */
        @WithDefault("15m")
        Duration replanAfter();

        /**
         * A run starts only with at least this long to the session's close (Alpaca's rebalancer starts jobs between
         * 9:30 and 15:30 New York time: 30 minutes before a regular close).
         */
        @WithDefault("30m")
        Duration minimumBeforeClose();

        /** How often a queued run asks the clock again while the market is closed. */
        @WithDefault("1m")
        Duration closedRecheck();

        /** The first wait after a run failed (doubling with every failure, to at most 5 minutes). */
        @WithDefault("5s")
        Duration retryBackoff();

        /**
         * A run that keeps failing (not an Alpaca outage, which is waited out) for longer than this ends ERROR, after
         * its open orders are settled, with an alert; until then it is retried and holds back its account's later runs.
         */
        @WithDefault("30m")
        Duration giveUpAfter();

        /** How often the workers look for runs to drive (they are also woken by new runs). */
        @WithDefault("250ms")
        @DurationMin(millis = 1)
        Duration tick();
    }
}
