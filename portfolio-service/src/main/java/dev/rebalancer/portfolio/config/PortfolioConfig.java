package dev.rebalancer.portfolio.config;

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

/** The portfolio service's settings; endpoints and secrets come from the environment. */
@ConfigMapping(prefix = "rebalancer")
public interface PortfolioConfig {

    /** The credentials of this service's API. */
    Api api();

    /** The Alpaca accounts this installation manages, by a name of your choosing. */
    Map<String, Account> accounts();

    /** How often Alpaca is read. */
    Sync sync();

    /** Kafka topic layout. */
    Topics topics();

    Control control();

    /** How this service's instances divide the accounts among them and choose the one that leads. */
    Instances instances();

    /** The flow watchdog: a stage that stops answering is told to the owner, not left to fail in silence. */
    Watchdog watchdog();

    /**
     * Whether the outbox relay publishes by itself. Off only to see what becomes of events committed while no relay
     * runs (a crash between commit and publication).
     */
    @WithDefault("true")
    boolean outboxRelay();

    /** How long an asset's tradable and fractionable flags are trusted before Alpaca is asked again. */
    @WithDefault("1h")
    Duration assetCacheTtl();

    /** How often Alpaca's market calendar is read and published for the drift monitor (and at start). */
    @WithDefault("24h")
    Duration calendarRefreshInterval();

    /**
     * The cash the executor keeps back, in basis points of equity (its {@code RESERVE_BASIS_POINTS}): the drift view
     * judges cash net of it, as the drift monitor does.
     */
    @WithDefault("25")
    @Min(0) @Max(10_000)
    int reserveBasisPoints();

    /** How often the assets of active portfolios are looked up again (and at start): needs_adjustment. */
    @WithDefault("24h")
    Duration assetReviewInterval();

    /** The daily balance check after the close. */
    Balance balance();

    /** The market's volatility readings, for portfolios with the volatility filter. */
    Volatility volatility();

    interface Volatility {
        /** Cboe's daily VIX history, a CSV of DATE,OPEN,HIGH,LOW,CLOSE. */
        @WithDefault("https://cdn.cboe.com/api/global/us_indices/daily_prices/VIX_History.csv")
        java.net.URI vixUrl();

        /** How often the readings are read again (and at start); a new one is published. */
        @WithDefault("1h")
        @DurationMin(millis = 1)
        Duration refreshInterval();

        /** How long a read of the VIX file may take, connecting included. */
        @WithDefault("30s")
        @DurationMin(millis = 1)
        Duration timeout();
    }

    interface Balance {
        /** Whether the check runs by itself after each close ({@code POST /v1/balance-checks} runs it on demand). */
        @WithDefault("true")
        boolean enabled();

        /** How long after the close the check runs (Alpaca's positions carry the closing prices by then). */
        @WithDefault("30m")
        Duration afterClose();

        /** A difference between the equity and its prediction larger than this (in dollars) is an alert. */
        @WithDefault("1.00")
        java.math.BigDecimal tolerance();

        /** How often to look whether a check is due. */
        @WithDefault("1m")
        Duration interval();
    }

    interface Api {
        /** The key of HTTP Basic credentials, as Alpaca's broker API uses them ({@code REBALANCER_API_KEY}). */
        String key();

        /** The secret of HTTP Basic credentials ({@code REBALANCER_API_SECRET}). */
        String secret();
    }

    interface Account {
        /** Alpaca API key id; an account without one is not managed. */
        Optional<String> apiKeyId();

        /** Alpaca API secret key. */
        Optional<String> apiSecretKey();

        /** Alpaca paper or live, or the simulator. */
        @WithDefault("https://paper-api.alpaca.markets")
        URI baseUrl();

        /** Record plans and send no orders; on by default for live accounts. */
        Optional<Boolean> dryRun();
    }

    interface Sync {
        /** How often positions are published while the market is open. */
        @WithDefault("60s")
        @DurationMin(millis = 1)
        Duration positionsInterval();

        /** How often new cash activities are looked for. */
        @WithDefault("15s")
        @DurationMin(millis = 1)
        Duration depositsInterval();

        /**
         * How far back from the newest cash activity seen each poll reads again: an activity Alpaca posts back-dated
         * by up to this much, or that changes status within it, is still seen.
         */
        @WithDefault("7d")
        @DurationMin(millis = 0)
        Duration depositsLookback();

        /**
         * Accounts whose new cash is looked for at the same time: an account whose Alpaca answers slowly (or not, until
         * the timeout) holds up only itself. Unset: one per account, at most {@link #POLLS_PER_CORE} per core — a poll
         * mostly waits on Alpaca.
         */
        @Min(1)
        java.util.OptionalInt parallelAccounts();

        /** Polls at the same time per core when {@code parallel-accounts} is unset. */
        int POLLS_PER_CORE = 16;

        /** The polls at the same time for this many accounts. */
        default int pollers(int accounts) {
            return parallelAccounts().orElse(Math.max(1, Math.min(accounts,
                    POLLS_PER_CORE * Runtime.getRuntime().availableProcessors())));
        }

        /** Failed Alpaca polls in a row before one alert is raised (and one more when Alpaca answers again). */
        @WithDefault("3")
        @Min(1)
        int alertAfterFailures();

        /** Alpaca's request limit per key and minute ({@code ALPACA_REQUESTS_PER_MINUTE}; 200 at Alpaca). */
        @WithDefault("200")
        @Min(2)
        int alpacaRequestsPerMinute();

        /**
         * The share of each key's limit this service may use ({@code ALPACA_PORTFOLIO_SHARE}); the rest is left to
         * the executors' orders and fill checks. Polling intervals that need more are refused at start.
         */
        @WithDefault("0.65")
        @DecimalMin(value = "0", inclusive = false) @DecimalMax(value = "1", inclusive = false)
        double portfolioShare();
    }

    interface Watchdog {
        /** How long a rebalance request may wait for the executor's first run event before the owner is told. */
        @WithDefault("60s")
        @DurationMin(millis = 1)
        Duration requestWithin();

        /** How long a run may go without an event while the market is open before the owner is told. */
        @WithDefault("15m")
        @DurationMin(millis = 1)
        Duration runStallAfter();

        /** How often the flow is checked. */
        @WithDefault("15s")
        @DurationMin(millis = 1)
        Duration checkInterval();
    }

    interface Instances {
        /** How often an instance renews its row; a new instance takes its share of the accounts within one. */
        @WithDefault("1s")
        @DurationMin(millis = 10)
        Duration heartbeat();

        /**
         * How long a row lasts without renewal: a lost instance's accounts are taken over, and its leadership if it
         * led, this long after its last renewal. At least twice the heartbeat.
         */
        @WithDefault("5s")
        @DurationMin(millis = 20)
        Duration expiry();
    }

    interface Control {
        /** How often the halt switch's state is announced again (the executor's setting must be the same). */
        @DurationMin(millis = 1)
        Duration announceInterval();
    }

    interface Topics {
        /** Partitions of every topic: all topics share one count so the drift monitor's inputs are co-partitioned. */
        @WithDefault("6")
        @Min(1)
        int partitions();

        /** Replicas of every topic (3 on a production cluster). */
        @WithDefault("1")
        short replicationFactor();

        /**
         * Replicas that must have a record before it counts as written ({@code min.insync.replicas}, with the
         * producers' {@code acks=all}): 2 of 3 on a production cluster, so one broker lost loses nothing.
         */
        @WithDefault("1")
        @Min(1)
        int minInsyncReplicas();
    }
}
