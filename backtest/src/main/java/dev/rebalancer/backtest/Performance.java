package dev.rebalancer.backtest;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * How a policy did, from its days: returns are time-weighted (a day's deposit is not return), so policies with the
 * same deposits compare fairly.
 *
 * @param cagr                  compound annual growth of the time-weighted index, over the calendar days covered
 * @param volatility            the standard deviation of daily returns, annualised over 252 trading days
 * @param maxDrawdown           the deepest fall of the index from a peak (negative, or 0), with the peak's and the
 *                              trough's days
 * @param sharpe                mean daily return × 252 ÷ the annualised volatility (no risk-free rate); 0 without
 *                              volatility
 * @param orders                orders filled
 * @param turnover              their value
 * @param spreadCost            what the spread cost
 * @param harvestedLosses       the losses tax-loss harvesting realised
 * @param daysOutsideBand       the days that ended with a weight outside the measuring band
 * @param daysDeferred          the days the volatility filter deferred a rebalance
 */
public record Performance(double cagr, double volatility, double maxDrawdown, LocalDate drawdownPeak,
        LocalDate drawdownTrough, double sharpe, int orders, java.math.BigDecimal turnover,
        java.math.BigDecimal spreadCost, java.math.BigDecimal harvestedLosses, int daysOutsideBand,
        int daysDeferred) {

    static final int TRADING_DAYS_A_YEAR = 252;

    /**
     * The time-weighted index, a value a day starting at 1: each day's return is its equity less the day's deposit
     * over the day before's equity.
     */
    static double[] index(Backtest.Result result) {
        List<Backtest.Day> days = result.days();
        double[] index = new double[days.size()];
        index[0] = 1;
        for (int i = 1; i < days.size(); i++) {
            double before = days.get(i - 1).equity().doubleValue();
            index[i] = before <= 0 ? index[i - 1] : index[i - 1]
                    * (days.get(i).equity().doubleValue() - days.get(i).deposited().doubleValue()) / before;
        }
        return index;
    }

    public static Performance of(Backtest.Result result) {
        List<Backtest.Day> days = result.days();
        double[] indexed = index(result);
        double index = 1;
        double peak = 1;
        LocalDate peakDay = days.get(0).date();
        double deepest = 0;
        LocalDate deepestPeak = peakDay;
        LocalDate deepestTrough = peakDay;
        double sum = 0;
        double squares = 0;
        int returns = 0;
        for (int i = 1; i < days.size(); i++) {
            if (days.get(i - 1).equity().signum() <= 0) {
                continue;
            }
            double r = indexed[i] / indexed[i - 1] - 1;
            sum += r;
            squares += r * r;
            returns++;
            index = indexed[i];
            if (index > peak) {
                peak = index;
                peakDay = days.get(i).date();
            }
            double drawdown = index / peak - 1;
            if (drawdown < deepest) {
                deepest = drawdown;
                deepestPeak = peakDay;
                deepestTrough = days.get(i).date();
            }
        }
        double mean = returns == 0 ? 0 : sum / returns;
        double variance = returns < 2 ? 0 : (squares - returns * mean * mean) / (returns - 1);
        double volatility = Math.sqrt(Math.max(0, variance)) * Math.sqrt(TRADING_DAYS_A_YEAR);
        long calendarDays = ChronoUnit.DAYS.between(days.get(0).date(), days.get(days.size() - 1).date());
        double cagr = calendarDays == 0 ? 0 : Math.pow(index, 365.25 / calendarDays) - 1;
        double sharpe = volatility == 0 ? 0 : mean * TRADING_DAYS_A_YEAR / volatility;
        return new Performance(cagr, volatility, deepest, deepestPeak, deepestTrough, sharpe, result.orders(),
                result.turnover(), result.spreadCost(), result.harvestedLosses(), result.daysOutsideBand(),
                result.daysDeferred());
    }
}
