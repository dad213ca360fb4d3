package dev.rebalancer.bench;

import dev.rebalancer.backtest.Backtest;
import dev.rebalancer.backtest.BacktestMain;
import dev.rebalancer.backtest.Policies;
import dev.rebalancer.backtest.Prices;
import dev.rebalancer.contracts.Strategies;
import dev.rebalancer.contracts.Weight;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The backtest's speed (issue #22: ten years × 10 symbols × 8 policies in under 10 seconds): the whole comparison —
 * reading the cached closes and running the command's eight default policies — against reading the cached closes
 * alone, both measured here. Prices are a seeded random walk (no market data here).
 */
final class BacktestBench {

    static final int DAYS = 2520;
    static final int SYMBOLS = 10;
    static final int RUNS = 3;

    private BacktestBench() {
    }

    static List<BenchResult> run() throws IOException {
        Path csv = Path.of("target", "bench", "backtest-closes.csv");
        Files.createDirectories(csv.getParent());
        Random random = new Random(20261203);
        StringBuilder text = new StringBuilder("date,symbol,close\n");
        double[] price = new double[SYMBOLS];
        java.util.Arrays.setAll(price, s -> 50 + random.nextInt(400));
        LocalDate day = LocalDate.parse("2016-01-04");
        for (int d = 0; d < DAYS; d++, day = day.plusDays(day.getDayOfWeek().getValue() == 5 ? 3 : 1)) {
            for (int s = 0; s < SYMBOLS; s++) {
                price[s] *= 1 + random.nextGaussian() * 0.012 + 0.0003;
                text.append(day).append(",S").append(s).append(',')
                        .append(String.format(Locale.ROOT, "%.2f", price[s])).append('\n');
            }
        }
        Files.writeString(csv, text);
        List<Weight> weights = new ArrayList<>();
        for (int s = 0; s < SYMBOLS; s++) {
            weights.add(Weight.asset("S" + s, "10"));
        }
        List<String> policies = List.of(BacktestMain.DEFAULT_POLICIES.split(","));

        List<Double> reads = new ArrayList<>();
        List<Double> wholes = new ArrayList<>();
        for (int run = 0; run < RUNS + 1; run++) {
            long start = System.nanoTime();
            Prices.fromCsv(Files.newBufferedReader(csv));
            double read = (System.nanoTime() - start) / 1e6;
            start = System.nanoTime();
            Prices prices = Prices.fromCsv(Files.newBufferedReader(csv));
            for (String name : policies) {
                Policies.Policy policy = Policies.named(name, List.of(), Strategies.NONE);
                Backtest.run(new Backtest.Config(weights, policy.conditions(), policy.strategies(), 1,
                        new BigDecimal("10000"), new BigDecimal("500"), new BigDecimal("2"), 25), prices);
            }
            double whole = (System.nanoTime() - start) / 1e6;
            if (run > 0) { // the first warms the JVM
                reads.add(read);
                wholes.add(whole);
            }
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("trading_days", DAYS);
        params.put("symbols", SYMBOLS);
        params.put("policies", policies);
        params.put("monthly_deposit", 500);
        return List.of(new BenchResult("backtest", "wall ms for 10 years x 10 symbols x 8 policies (lower is better)",
                Bench.median(wholes), "read-cached-closes-ms", Bench.median(reads), 10_000, false, true, params,
                wholes));
    }
}
