package dev.rebalancer.rules.drift;

import dev.rebalancer.contracts.MarketCalendar;
import dev.rebalancer.contracts.RebalanceCondition;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.Month;
import java.time.YearMonth;
import java.util.Locale;
import java.util.Set;

/**
 * Trading days, and when a calendar condition falls: weekly on a weekday, monthly or quarterly on a day of the month
 * (1–31), annually on {@code MM-DD}; when that date is not a trading day — a weekend, a holiday, or a day the month
 * does not have — on the trading day before it. Quarterly falls in the last month of each quarter (March, June,
 * September, December); the spec's "January, March, June, and December" reads as a typo.
 *
 * <p>Trading days are the market's own calendar once it is known ({@link #learn}, Alpaca's {@code GET /v2/calendar}
 * as portfolio-service publishes it); for dates outside it, or before it is known, every weekday except the given
 * holidays. Safe to read while another thread learns a newer calendar.
 */
public final class CalendarSchedule {

    private record Known(LocalDate start, LocalDate end, Set<LocalDate> tradingDays) {
    }

    private final Set<LocalDate> holidays;
    private volatile Known known;

    public CalendarSchedule(Set<LocalDate> holidays) {
        this.holidays = Set.copyOf(holidays);
    }

    /** The market's calendar: from now on its trading days, for the dates it covers, are the trading days. */
    public void learn(MarketCalendar calendar) {
        Set<LocalDate> days = new java.util.HashSet<>();
        calendar.days().forEach(d -> days.add(d.date()));
        known = new Known(calendar.start(), calendar.end(), Set.copyOf(days));
    }

    public boolean isTradingDay(LocalDate date) {
        Known market = known;
        if (market != null && !date.isBefore(market.start()) && !date.isAfter(market.end())) {
            return market.tradingDays().contains(date);
        }
        return date.getDayOfWeek() != DayOfWeek.SATURDAY && date.getDayOfWeek() != DayOfWeek.SUNDAY
                && !holidays.contains(date);
    }

    /** Whether the condition falls on {@code today}. */
    public boolean fallsOn(RebalanceCondition calendar, LocalDate today) {
        // The nominal date of this period or the next one can roll back onto today.
        return switch (calendar.subType()) {
            case WEEKLY -> {
                DayOfWeek weekday = DayOfWeek.valueOf(calendar.day().toUpperCase(Locale.ROOT));
                LocalDate thisWeek = today.with(weekday);
                yield today.equals(rollBack(thisWeek)) || today.equals(rollBack(thisWeek.plusWeeks(1)));
            }
            case MONTHLY -> fallsInMonth(YearMonth.from(today), calendar, today)
                    || fallsInMonth(YearMonth.from(today).plusMonths(1), calendar, today);
            case QUARTERLY -> (isQuarterEnd(YearMonth.from(today)) && fallsInMonth(YearMonth.from(today), calendar, today))
                    || (isQuarterEnd(YearMonth.from(today).plusMonths(1))
                            && fallsInMonth(YearMonth.from(today).plusMonths(1), calendar, today));
            case ANNUALLY -> today.equals(rollBack(annual(calendar.day(), today.getYear())))
                    || today.equals(rollBack(annual(calendar.day(), today.getYear() + 1)));
            default -> throw new IllegalArgumentException("not a calendar period: " + calendar.subType());
        };
    }

    private boolean fallsInMonth(YearMonth month, RebalanceCondition calendar, LocalDate today) {
        // A day the month does not have (31 in April) falls on the trading day before it: from the month's last day back.
        int day = Math.min(Integer.parseInt(calendar.day()), month.lengthOfMonth());
        return today.equals(rollBack(month.atDay(day)));
    }

    private static boolean isQuarterEnd(YearMonth month) {
        Month m = month.getMonth();
        return m == Month.MARCH || m == Month.JUNE || m == Month.SEPTEMBER || m == Month.DECEMBER;
    }

    private static LocalDate annual(String monthDay, int year) {
        int month = Integer.parseInt(monthDay.substring(0, 2));
        int day = Integer.parseInt(monthDay.substring(3, 5));
        YearMonth yearMonth = YearMonth.of(year, month);
        // 02-29 in a year without one: the trading day before 2/29, i.e. from 2/28 back.
        return day > yearMonth.lengthOfMonth() ? yearMonth.atEndOfMonth() : yearMonth.atDay(day);
    }

    private LocalDate rollBack(LocalDate date) {
        LocalDate day = date;
        while (!isTradingDay(day)) {
            day = day.minusDays(1);
        }
        return day;
    }
}
