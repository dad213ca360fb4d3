package dev.rebalancer.rules.market;

import dev.rebalancer.contracts.VolatilityFilter;
import dev.rebalancer.contracts.VolatilityReading;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Cboe's daily VIX history file ({@code VIX_History.csv}): a header {@code DATE,OPEN,HIGH,LOW,CLOSE} and a line a
 * trading day, oldest first, dates as {@code MM/DD/YYYY} (or ISO). The live reading is the close of the latest day;
 * the backtest reads every day's.
 */
public final class VixHistory {

    private static final DateTimeFormatter CBOE_DATE = DateTimeFormatter.ofPattern("MM/dd/yyyy", Locale.ROOT);

    private VixHistory() {
    }

    /** The latest close in {@code csv}; a file without a DATE and CLOSE header or without a readable day is refused. */
    public static VolatilityReading latest(String csv, String origin, Instant now) {
        Map.Entry<LocalDate, BigDecimal> last = closes(csv).lastEntry();
        return new VolatilityReading(UUID.randomUUID().toString(), now, VolatilityFilter.Source.VIX, last.getValue(),
                last.getKey(), origin);
    }

    /**
     * Every day's close in {@code csv}, by day; lines that are not a day's prices (a note, a blank close) are passed
     * over. A file without a DATE and CLOSE header or without a readable day is refused.
     */
    public static NavigableMap<LocalDate, BigDecimal> closes(String csv) {
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
        NavigableMap<LocalDate, BigDecimal> closes = new TreeMap<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            if (cells.length <= Math.max(date, close)) {
                continue;
            }
            try {
                BigDecimal value = new BigDecimal(cells[close].strip());
                if (value.signum() > 0) {
                    closes.put(day(cells[date].strip()), value.setScale(2, RoundingMode.HALF_EVEN));
                }
            } catch (NumberFormatException | DateTimeParseException e) {
                // Not a day's prices: passed over.
            }
        }
        if (closes.isEmpty()) {
            throw new IllegalArgumentException("the VIX file has no day with a close");
        }
        return closes;
    }

    private static LocalDate day(String text) {
        return text.contains("/") ? LocalDate.parse(text, CBOE_DATE) : LocalDate.parse(text);
    }
}
