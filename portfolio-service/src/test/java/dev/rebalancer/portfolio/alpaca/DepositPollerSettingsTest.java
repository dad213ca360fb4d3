package dev.rebalancer.portfolio.alpaca;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebalancer.portfolio.config.PortfolioConfig;
import java.lang.reflect.Proxy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A setting that cannot work is refused at start, by its name. */
class DepositPollerSettingsTest {

    @Test
    void parallel_accounts_below_one_is_refused_with_the_settings_name() {
        assertThatThrownBy(() -> new DepositPoller(null, null, null, null, config(0), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rebalancer.sync.parallel-accounts must be at least 1, not 0");
    }

    /** Only the sync settings the poller reads; anything else it asked for would fail the test. */
    private static PortfolioConfig config(int parallelAccounts) {
        PortfolioConfig.Sync sync = proxy(PortfolioConfig.Sync.class, name -> switch (name) {
            case "depositsInterval" -> Duration.ofSeconds(15);
            case "depositsLookback" -> Duration.ofDays(7);
            case "parallelAccounts" -> parallelAccounts;
            default -> throw new UnsupportedOperationException(name);
        });
        return proxy(PortfolioConfig.class, name -> {
            if (!name.equals("sync")) {
                throw new UnsupportedOperationException(name);
            }
            return sync;
        });
    }

    private static <T> T proxy(Class<T> type, java.util.function.Function<String, Object> answers) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (self, method, args) -> answers.apply(method.getName())));
    }
}
