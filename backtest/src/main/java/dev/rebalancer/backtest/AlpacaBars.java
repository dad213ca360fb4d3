package dev.rebalancer.backtest;

import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.model.Bar;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Daily closes from Alpaca's market data API ({@code GET /v2/stocks/{symbol}/bars}, adjusted for splits and dividends,
 * every page), one file per symbol and date range in a cache directory, so a second run reads no network. The days
 * are those on which every symbol has a bar.
 */
public final class AlpacaBars {

    private AlpacaBars() {
    }

    public static Prices closes(AlpacaClient client, Collection<String> symbols, LocalDate from, LocalDate to,
            Path cache) throws IOException {
        Files.createDirectories(cache);
        Map<LocalDate, Map<String, BigDecimal>> days = new TreeMap<>();
        Map<LocalDate, Integer> counted = new HashMap<>();
        for (String symbol : symbols) {
            Path file = cache.resolve(symbol.replaceAll("[^A-Za-z0-9.\\-]", "_") + "_" + from + "_" + to + ".csv");
            if (!Files.exists(file)) {
                StringBuilder csv = new StringBuilder("date,symbol,close\n");
                for (Bar bar : client.dailyBars(symbol, from, to)) {
                    csv.append(bar.day()).append(',').append(symbol).append(',')
                            .append(bar.close().toPlainString()).append('\n');
                }
                Path partial = Files.createTempFile(cache, symbol, ".part");
                Files.writeString(partial, csv);
                Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            Prices one = Prices.fromCsv(new StringReader(Files.readString(file)));
            if (one.days().isEmpty()) {
                throw new IllegalArgumentException("Alpaca has no daily bars of " + symbol + " from " + from + " to "
                        + to);
            }
            one.days().forEach((day, close) -> {
                days.computeIfAbsent(day, d -> new HashMap<>()).putAll(close);
                counted.merge(day, 1, Integer::sum);
            });
        }
        days.keySet().removeIf(day -> counted.get(day) < symbols.size());
        if (days.isEmpty()) {
            throw new IllegalArgumentException("no day from " + from + " to " + to + " has a bar of every symbol");
        }
        return new Prices(days);
    }
}
