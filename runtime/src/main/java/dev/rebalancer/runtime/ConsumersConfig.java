package dev.rebalancer.runtime;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** {@code rebalancer.consumers.*}: how a consumer retries a message it cannot apply yet. */
@ConfigMapping(prefix = "rebalancer.consumers")
public interface ConsumersConfig {

    /** The first wait after a failed attempt; it doubles up to {@link #maxBackoff()}. */
    @WithDefault("100ms")
    Duration initialBackoff();

    @WithDefault("5s")
    Duration maxBackoff();

    /** How long a consumer may make no progress before the alarm is raised. */
    @WithDefault("1m")
    Duration alertAfter();
}
