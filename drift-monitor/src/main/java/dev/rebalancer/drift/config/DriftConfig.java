package dev.rebalancer.drift.config;

import org.hibernate.validator.constraints.time.DurationMin;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigDecimal;
import java.time.Duration;

/** The drift monitor's settings. */
@ConfigMapping(prefix = "drift")
public interface DriftConfig {

    /** The smallest deposit that is invested at once ({@code invest_cash}); smaller ones wait for a rebalance. */
    @WithDefault("10")
    @DecimalMin("0")
    BigDecimal minimumDeposit();

    /**
     * The cash the executor keeps back from every plan, in basis points of equity (the executor's
     * {@code RESERVE_BASIS_POINTS}): cash above its target by no more than that is no breach.
     */
    @WithDefault("25")
    @Min(0) @Max(10_000)
    int reserveBasisPoints();

    /** How often the wall clock is consulted for calendar conditions and ended waits. */
    @WithDefault("60s")
    @DurationMin(millis = 1)
    Duration tickInterval();

    /** How long a requested run may go unreported before it no longer holds automatic rebalances back. */
    @WithDefault("24h")
    Duration unfinishedRunExpiry();

    /** Kafka Streams application id: the consumer group and the prefix of the changelog topic. */
    @WithDefault("drift-monitor")
    String applicationId();

    /** Where the state stores live on disk; the changelog restores them when they are lost. */
    @WithDefault("${java.io.tmpdir}/rebalancer/drift-monitor")
    String stateDir();

    /**
     * How often processing is committed when it made no request. With exactly-once, what the monitor writes becomes
     * visible only at a commit: a request is committed at once (or, in a burst, once the thread has processed for 200 ms since its last
     * commit: CommitPacing), so
     * this bounds only the rest (state, alerts, dead letters). Each commit waits on the broker several times; under a
     * burst a short interval left the stream thread waiting on commits most of the time.
     */
    @WithDefault("1s")
    @DurationMin(millis = 1)
    Duration commitInterval();

    /**
     * Moves the monitor's idea of now (trading days, calendar conditions, cooldowns, the one automatic request a day)
     * by this much, so that an end-to-end test or a demo can have tomorrow today. Zero in production.
     */
    @WithDefault("0s")
    Duration clockOffset();

    /**
     * Stream threads of this instance; partitions are spread over all threads of all instances. Unset: one per
     * partition of the inputs, at most {@value dev.rebalancer.drift.messaging.DriftStreams#MAX_DEFAULT_THREADS}, so that
     * one partition's commit (a wait on the broker) does not hold the others' records back.
     */
    @Min(1)
    java.util.OptionalInt streamThreads();

    /** Replicas of Kafka Streams' own changelog and repartition topics (3 on a production cluster). */
    @WithDefault("1")
    short replicationFactor();

    /** Replicas a write to those topics must reach ({@code min.insync.replicas}; 2 of 3 on a production cluster). */
    @WithDefault("1")
    @Min(1)
    int minInsyncReplicas();
}
