package dev.rebalancer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebalancer.testing.infra.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A setting that cannot work stops the service at start, with a message naming the setting and what it must be: the
 * constraints on each service's config mapping (Bean Validation), checked before anything is connected to. Each service
 * is started from its jar, configured through its environment as in production, with one bad value.
 */
class SettingsValidationIT {

    @ParameterizedTest(name = "{0} with {1}={2}")
    @CsvSource({
            "portfolio-service, REBALANCER_SYNC_PARALLEL_ACCOUNTS, 0, rebalancer.sync.parallel-accounts, must be greater than or equal to 1",
            "portfolio-service, ALPACA_PORTFOLIO_SHARE, 1.5, rebalancer.sync.portfolio-share, must be less than 1",
            "order-executor, RESERVE_BASIS_POINTS, -5, rebalancer.runs.reserve-basis-points, must be greater than or equal to 0",
            "drift-monitor, DRIFT_MINIMUM_DEPOSIT, -10, drift.minimum-deposit, must be greater than or equal to 0",
            "notifier, NOTIFY_BURST_SIZE, 0, notifier.delivery.burst-size, must be greater than or equal to 1"})
    void a_setting_that_cannot_work_stops_the_service_at_start_by_its_name(String service, String variable, String value,
            String property, String constraint) {
        Map<String, String> env = new HashMap<>(Map.of(
                // Nothing answers here: the service must stop before it tries.
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1",
                "DB_URL", "jdbc:postgresql://127.0.0.1:1/none",
                "DB_USERNAME", "nobody", "DB_PASSWORD", "nothing",
                "REBALANCER_API_KEY", "key", "REBALANCER_API_SECRET", "secret"));
        env.put(variable, value);

        assertThatThrownBy(() -> ServiceProcess.start(service, 0, env, Map.of(), Duration.ofSeconds(60),
                Path.of("target/settings-validation").toAbsolutePath()))
                .isInstanceOf(IllegalStateException.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(service + " exited").contains(property)
                        .contains(constraint));
    }
}
