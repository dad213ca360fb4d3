package dev.rebalancer.rules.market;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Optional;

/**
 * Realised volatility from daily closes: the sample standard deviation of the last {@link #DAYS} daily log returns,
 * annualised over {@link #TRADING_DAYS_A_YEAR} trading days, in percent (comparable with the VIX, which is the
 * market's 30-day expectation in the same unit). The volatility filter's {@code spy_realized_vol}, read live by
 * portfolio-service and day by day by the backtest.
 */
public final class RealizedVolatility {

    public static final int DAYS = 20;
    static final int TRADING_DAYS_A_YEAR = 252;

    private RealizedVolatility() {
    }

    /** Over the last {@link #DAYS} returns of {@code closes} (oldest first); empty with fewer than 21 closes. */
    public static Optional<BigDecimal> of(List<BigDecimal> closes) {
        if (closes.size() < DAYS + 1) {
            return Optional.empty();
        }
        List<BigDecimal> last = closes.subList(closes.size() - DAYS - 1, closes.size());
        double[] returns = new double[DAYS];
        double sum = 0;
        for (int i = 0; i < DAYS; i++) {
            returns[i] = Math.log(last.get(i + 1).doubleValue() / last.get(i).doubleValue());
            sum += returns[i];
        }
        double mean = sum / DAYS;
        double squares = 0;
        for (double r : returns) {
            squares += (r - mean) * (r - mean);
        }
        double annualised = Math.sqrt(squares / (DAYS - 1)) * Math.sqrt(TRADING_DAYS_A_YEAR) * 100;
        return Optional.of(BigDecimal.valueOf(annualised).setScale(2, RoundingMode.HALF_EVEN));
    }
}
