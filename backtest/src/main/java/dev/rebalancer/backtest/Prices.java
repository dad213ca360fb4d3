package dev.rebalancer.backtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Daily closes: for each trading day, each symbol's closing price (adjusted for splits and dividends, as the bars
 * are). The trading days are the days that have prices.
 */
public final class Prices {

    private final NavigableMap<LocalDate, Map<String, BigDecimal>> closes;

    public Prices(Map<LocalDate, Map<String, BigDecimal>> closes) {
        TreeMap<LocalDate, Map<String, BigDecimal>> copy = new TreeMap<>();
        closes.forEach((day, prices) -> copy.put(day, Map.copyOf(prices)));
        this.closes = Collections.unmodifiableNavigableMap(copy);
    }

    /**
     * A CSV of {@code date,symbol,close} (a header line, dates as {@code 2026-01-05}, closes positive decimals); a line
     * that is none is refused naming its line number.
     */
    public static Prices fromCsv(Reader csv) throws IOException {
        Map<LocalDate, Map<String, BigDecimal>> closes = new TreeMap<>();
        try (BufferedReader lines = new BufferedReader(csv)) {
            String header = lines.readLine();
            if (header == null || !header.strip().equalsIgnoreCase("date,symbol,close")) {
                throw new IllegalArgumentException("line 1: the header must be date,symbol,close, got " + header);
            }
            int number = 1;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                if (cells.length != 3) {
                    throw new IllegalArgumentException("line " + number + ": must be date,symbol,close, got " + line);
                }
                try {
                    BigDecimal close = new BigDecimal(cells[2].strip());
                    if (close.signum() <= 0) {
                        throw new IllegalArgumentException("line " + number + ": a close must be positive, got "
                                + cells[2]);
                    }
                    closes.computeIfAbsent(LocalDate.parse(cells[0].strip()), d -> new LinkedHashMap<>())
                            .put(cells[1].strip(), close);
                } catch (NumberFormatException | DateTimeParseException e) {
                    throw new IllegalArgumentException("line " + number + ": " + e.getMessage() + " in " + line, e);
                }
            }
        }
        return new Prices(closes);
    }

    /** The days from {@code from} to {@code to}, both included (null: no bound); none left is refused. */
    public Prices between(LocalDate from, LocalDate to) {
        NavigableMap<LocalDate, Map<String, BigDecimal>> days = closes;
        if (from != null) {
            days = days.tailMap(from, true);
        }
        if (to != null) {
            days = days.headMap(to, true);
        }
        if (days.isEmpty()) {
            throw new IllegalArgumentException("no prices from " + (from == null ? "the first day" : from) + " to "
                    + (to == null ? "the last" : to));
        }
        return new Prices(days);
    }

    /** The trading days, in order, with their closes. */
    public NavigableMap<LocalDate, Map<String, BigDecimal>> days() {
        return closes;
    }
}
