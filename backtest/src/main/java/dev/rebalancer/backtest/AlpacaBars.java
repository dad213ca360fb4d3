package dev.rebalancer.backtest;

import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.model.Bar;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Daily closes from Alpaca's market data API ({@code GET /v2/stocks/bars}, the symbols not yet cached in one request,
 * every page), adjusted for splits and, with dividends included, for dividends too (the closes are then a total
 * return); one file per symbol, date range and adjustment in a cache directory, so a second run reads no network. The
 * days are those on which every symbol has a bar.
 */
public final class AlpacaBars {

    private AlpacaBars() {
    }

    public static Prices closes(AlpacaClient client, Collection<String> symbols, LocalDate from, LocalDate to,
            Bar.Adjustment adjustment, Path cache) throws IOException {
        Files.createDirectories(cache);
        Map<String, Path> files = new TreeMap<>();
        List<String> missing = new ArrayList<>();
        for (String symbol : symbols) {
            Path file = cached(cache, symbol, "_" + from + "_" + to + "_" + adjustment.wire() + ".csv");
            files.put(symbol, file);
            if (!Files.exists(file)) {
                missing.add(symbol);
            }
        }
        if (!missing.isEmpty()) {
            Map<String, List<Bar>> read = client.dailyBars(missing, from, to, adjustment);
            for (String symbol : missing) {
                if (read.getOrDefault(symbol, List.of()).isEmpty()) {
                    // Not cached: a symbol listed later, or a typo fixed, is read again next time.
                    throw new IllegalArgumentException("Alpaca has no daily bars of " + symbol + " from " + from
                            + " to " + to);
                }
                StringBuilder csv = new StringBuilder("date,symbol,close\n");
                for (Bar bar : read.getOrDefault(symbol, List.of())) {
                    csv.append(bar.day()).append(',').append(symbol).append(',')
                            .append(bar.close().toPlainString()).append('\n');
                }
                write(files.get(symbol), csv.toString());
            }
        }
        Map<LocalDate, Map<String, BigDecimal>> days = new TreeMap<>();
        Map<LocalDate, Integer> counted = new HashMap<>();
        for (Map.Entry<String, Path> file : files.entrySet()) {
            Prices one = Prices.fromCsv(new StringReader(Files.readString(file.getValue())));
            if (one.days().isEmpty()) {
                throw new IllegalArgumentException("Alpaca has no daily bars of " + file.getKey() + " from " + from
                        + " to " + to);
            }
            one.days().forEach((day, close) -> {
                days.computeIfAbsent(day, d -> new HashMap<>()).putAll(close);
                counted.merge(day, 1, Integer::sum);
            });
        }
        days.keySet().removeIf(day -> counted.get(day) < files.size());
        if (days.isEmpty()) {
            throw new IllegalArgumentException("no day from " + from + " to " + to + " has a bar of every symbol");
        }
        return new Prices(days);
    }

    /**
     * Which of {@code symbols} Alpaca trades in whole shares only ({@code GET /v2/assets/{symbol}}: not
     * {@code fractionable}), each answer cached as {@code SYMBOL.asset} ({@code fractionable=true|false}). A symbol
     * Alpaca does not know is refused: nothing could trade it.
     */
    public static java.util.Set<String> wholeShares(AlpacaClient client, Collection<String> symbols, Path cache)
            throws IOException {
        Files.createDirectories(cache);
        java.util.Set<String> whole = new java.util.TreeSet<>();
        for (String symbol : symbols) {
            Path file = cached(cache, symbol, ".asset");
            if (!Files.exists(file)) {
                dev.rebalancer.alpaca.model.Asset asset = client.asset(symbol).orElseThrow(() ->
                        new IllegalArgumentException("Alpaca knows no asset " + symbol + ": nothing could trade it"));
                write(file, "fractionable=" + asset.fractionable() + "\n");
            }
            if (Files.readString(file).strip().equals("fractionable=false")) {
                whole.add(symbol);
            }
        }
        return whole;
    }

    /** A symbol's cache file: its name made safe for a file name, then {@code suffix}. */
    private static Path cached(Path cache, String symbol, String suffix) {
        return cache.resolve(symbol.replaceAll("[^A-Za-z0-9.\\-]", "_") + suffix);
    }

    /** Writes {@code file} whole or not at all: a run stopped halfway leaves no half file to be read as the cache. */
    private static void write(Path file, String text) throws IOException {
        Path partial = Files.createTempFile(file.getParent(), "bars", ".part");
        Files.writeString(partial, text);
        Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
