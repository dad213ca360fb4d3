package dev.rebalancer.portfolio.market;

import dev.rebalancer.contracts.VolatilityFilter;
import dev.rebalancer.contracts.VolatilityReading;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Cboe's daily VIX history file ({@code VIX_History.csv}): a header {@code DATE,OPEN,HIGH,LOW,CLOSE} and a line a
 * trading day, oldest first, dates as {@code MM/DD/YYYY}. The reading is the close of the latest day.
 */
public final class VixHistory {

    private static final DateTimeFormatter CBOE_DATE = DateTimeFormatter.ofPattern("MM/dd/yyyy", Locale.ROOT);

    private VixHistory() {
    }

    /** The latest close in {@code csv}; a file without a DATE and CLOSE header or without a readable day is refused. */
    public static VolatilityReading latest(String csv, String origin, Instant now) {
        List<String> lines = csv.lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("the VIX file is empty");
        }
        List<String> header = List.of(lines.get(0).toUpperCase(Locale.ROOT).split(","));
        int date = header.indexOf("DATE");
        int close = header.indexOf("CLOSE");
        if (date < 0 || close < 0) {
            throw new IllegalArgumentException("the VIX file has no DATE and CLOSE columns: " + lines.get(0));
        }
        for (int i = lines.size() - 1; i > 0; i--) {
            String[] cells = lines.get(i).split(",");
            if (cells.length <= Math.max(date, close)) {
                continue;
            }
            try {
                BigDecimal value = new BigDecimal(cells[close].strip());
                if (value.signum() > 0) {
                    return new VolatilityReading(UUID.randomUUID().toString(), now, VolatilityFilter.Source.VIX,
                            value.setScale(2, java.math.RoundingMode.HALF_EVEN), day(cells[date].strip()), origin);
                }
            } catch (NumberFormatException | DateTimeParseException e) {
                // A line that is not a day's prices (a note, a blank close): the one before it is the latest.
            }
        }
        throw new IllegalArgumentException("the VIX file has no day with a close");
    }

    private static LocalDate day(String text) {
        return text.contains("/") ? LocalDate.parse(text, CBOE_DATE) : LocalDate.parse(text);
    }
}
