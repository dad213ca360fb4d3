package dev.rebalancer.backtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BacktestMainTest {

    @TempDir
    Path dir;

    private Path files(String pricesCsv) throws Exception {
        Files.writeString(dir.resolve("portfolio.json"), """
                {"name":"Sixty forty","description":"what a user's portfolio file holds",
                 "weights":[{"type":"asset","symbol":"A","percent":"60"},{"type":"asset","symbol":"B","percent":"40"}],
                 "rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"}],
                 "cooldown_days":1}""");
        Files.writeString(dir.resolve("prices.csv"), pricesCsv);
        return dir;
    }

    private static String twoYears() {
        StringBuilder csv = new StringBuilder("date,symbol,close\n");
        LocalDate day = LocalDate.parse("2024-01-02");
        for (int i = 0; i < 500; i++, day = day.plusDays(day.getDayOfWeek().getValue() == 5 ? 3 : 1)) {
            csv.append(day).append(",A,").append(String.format(java.util.Locale.ROOT, "%.2f", 100 + 40 * Math.sin(i / 40.0)))
                    .append('\n').append(day).append(",B,").append(String.format(java.util.Locale.ROOT, "%.2f", 80 + i * 0.05))
                    .append('\n');
        }
        return csv.toString();
    }

    @Test
    void the_command_prints_a_row_per_policy_and_writes_the_json() throws Exception {
        files(twoYears());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        int status = BacktestMain.run(new String[] {"--portfolio", dir.resolve("portfolio.json").toString(), "--prices",
                dir.resolve("prices.csv").toString(), "--from", "2024-02-01", "--policies", "none,band-5,quarterly,"
                        + "edge-5,portfolio", "--monthly", "500", "--whole-shares", " B ,", "--out",
                dir.resolve("out.json").toString()},
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(status).isZero();
        String table = printed.toString(StandardCharsets.UTF_8);
        assertThat(table).startsWith("Backtest of Sixty forty, 2024-02-01 to ");
        assertThat(table.lines().filter(line -> line.matches("^(none|band-5|quarterly|edge-5|portfolio) .*")))
                .hasSize(5);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("out.json").toFile());
        assertThat(json.get("from").asText()).isEqualTo("2024-02-01");
        assertThat(json.get("policies")).hasSize(5);
        assertThat(json.get("whole_shares").toString()).isEqualTo("[\"B\"]");
        JsonNode none = json.get("policies").get(0);
        assertThat(none.get("policy").asText()).isEqualTo("none");
        assertThat(none.get("performance").get("orders").asInt()).as("buy and hold: two buys, then deposits")
                .isLessThan(json.get("policies").get(1).get("performance").get("orders").asInt());
        assertThat(none.get("equity").get(0).get("date").asText()).isEqualTo("2024-02-01");
        assertThat(table.lines().skip(1).findFirst().orElseThrow()).contains("harvested", "days out");
        for (String chart : java.util.List.of("equity.png", "drawdown.png", "allocation-none.png",
                "allocation-band-5.png", "allocation-portfolio.png")) {
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(dir.resolve(chart).toFile());
            assertThat(image).as(chart).isNotNull();
            assertThat(image.getWidth()).isEqualTo(Charts.WIDTH);
        }
    }

    @Test
    void a_wrong_argument_says_what_is_wrong() throws Exception {
        files(twoYears());
        String portfolio = dir.resolve("portfolio.json").toString();
        String prices = dir.resolve("prices.csv").toString();
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

        assertThatThrownBy(() -> BacktestMain.run(new String[] {"--prices", prices}, out))
                .hasMessage("one of --portfolio <file.json> and --portfolio-id <id> is required");
        assertThatThrownBy(() -> BacktestMain.run(new String[] {"--portfolio", portfolio, "--prices", prices,
                "--dividends", "maybe"}, out)).hasMessage("--dividends must be include or exclude, got maybe");
        assertThatThrownBy(() -> BacktestMain.run(new String[] {"--portfolio", portfolio, "--prices", prices,
                "--policies", "band-5+vol"}, out)).hasMessageStartingWith("a policy filters on the VIX: give its daily "
                        + "closes with --vix");
        assertThatThrownBy(() -> BacktestMain.run(new String[] {"--portfolio", portfolio, "--prices", prices,
                "--policies", "monthly+weekly"}, out)).hasMessageContaining("one calendar condition at most");
        assertThatThrownBy(() -> BacktestMain.run(new String[] {"--portfolio", portfolio, "--prices", prices,
                "--policies", "sometimes"}, out)).hasMessageContaining("not a policy: sometimes");
        assertThatThrownBy(() -> BacktestMain.run(new String[] {"--portfolio", portfolio, "--prices", prices,
                "--from", "2030-01-01"}, out)).hasMessageContaining("no prices from 2030-01-01");
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
            String nobody = "http://127.0.0.1:" + closed.getLocalPort();
            closed.close();
            assertThatThrownBy(() -> BacktestMain.run(new String[] {"--portfolio-id", "p-1", "--api", nobody,
                    "--prices", prices}, out)).hasMessageStartingWith("cannot read " + nobody
                            + "/v1/rebalancing/portfolios/p-1 (is portfolio-service running there?");
        }
        files("date,symbol,close\n2024-01-02,A,100\n");
        assertThatThrownBy(() -> BacktestMain.run(new String[] {"--portfolio", portfolio, "--prices", prices}, out))
                .hasMessageStartingWith("no close of B on 2024-01-02: every symbol of the portfolio");
    }

    /**
     * Alpaca's daily bars, from the simulator serving them in Alpaca's format ({@code GET /v2/stocks/bars}, several
     * pages): read once into the cache with Alpaca's word on whole shares; a second run with the simulator gone gives
     * the same table from the cache alone. B splits 2:1 on day 150 and pays $0.50 on day 200: the closes come adjusted
     * for the split always, for the dividend only with dividends included.
     */
    @Test
    void alpacas_daily_bars_are_read_once_and_then_come_from_the_cache() throws Exception {
        files("date,symbol,close\n");
        java.util.Map<LocalDate, String> a = new java.util.TreeMap<>();
        java.util.Map<LocalDate, String> b = new java.util.TreeMap<>();
        List<LocalDate> days = new java.util.ArrayList<>();
        LocalDate day = LocalDate.parse("2024-01-02");
        for (int i = 0; i < 300; i++, day = day.plusDays(day.getDayOfWeek().getValue() == 5 ? 3 : 1)) {
            days.add(day);
            a.put(day, String.format(java.util.Locale.ROOT, "%.2f", 100 + 30 * Math.sin(i / 25.0)));
            double base = 50 + i * 0.02;
            b.put(day, String.format(java.util.Locale.ROOT, "%.2f", i < 150 ? base : i < 200 ? base / 2
                    : base / 2 - 0.5));
        }
        String[] args;
        String first;
        try (dev.rebalancer.sim.AlpacaSimServer sim = dev.rebalancer.sim.AlpacaSimServer.start(0)) {
            sim.admin().createAccount("bars-key", "bars-secret", "0");
            sim.admin().asset("A", "100", false, true);
            sim.admin().asset("B", "50", true, true);
            sim.admin().closes("A", a);
            sim.admin().closes("B", b, java.util.Map.of(days.get(200), "0.50"), java.util.Map.of(days.get(150), "2"));
            args = new String[] {"--portfolio", dir.resolve("portfolio.json").toString(), "--alpaca", "--alpaca-url",
                    sim.baseUrl().toString(), "--alpaca-key", "bars-key", "--alpaca-secret", "bars-secret", "--from",
                    "2024-01-02", "--to", "2025-02-28", "--cache", dir.resolve("bars").toString(), "--policies",
                    "none,band-5", "--out", dir.resolve("alpaca.json").toString()};
            first = printed(args);
            printed(withDividendsExcluded(args));
            // A symbol Alpaca has no bars of is refused and none of its bars are cached, so a later run asks again.
            sim.admin().asset("ZZZ", "10", true, true);
            Files.writeString(dir.resolve("nobars.json"), """
                    {"name":"No bars","weights":[{"type":"asset","symbol":"A","percent":"50"},
                     {"type":"asset","symbol":"ZZZ","percent":"50"}]}""");
            String[] noBars = args.clone();
            noBars[1] = dir.resolve("nobars.json").toString();
            assertThatThrownBy(() -> printed(noBars)).hasMessage("Alpaca has no daily bars of ZZZ from 2024-01-02 "
                    + "to 2025-02-28");
        }
        String again = printed(args);

        assertThat(first).startsWith("Backtest of Sixty forty, 2024-01-02 to " + day.minusDays(
                day.getDayOfWeek().getValue() == 1 ? 3 : 1) + " (300 trading days)");
        assertThat(first.lines().filter(line -> line.matches("^(none|band-5) .*"))).hasSize(2);
        assertThat(again).as("the same, with the simulator gone").isEqualTo(first);
        assertThat(Files.list(dir.resolve("bars")).map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                "A_2024-01-02_2025-02-28_all.csv", "B_2024-01-02_2025-02-28_all.csv",
                "A_2024-01-02_2025-02-28_split.csv", "B_2024-01-02_2025-02-28_split.csv", "A.asset", "B.asset",
                "ZZZ.asset");
        JsonNode json = new ObjectMapper().readTree(dir.resolve("alpaca.json").toFile());
        assertThat(json.get("whole_shares").toString()).isEqualTo("[\"A\"]");

        // Day 149, the last before the split: as traded 52.98; split-adjusted 26.49; and with the dividend, times
        // 1 - 0.50 / 26.99 (the close before the ex-date, as traded), to four places.
        assertThat(closeOn(dir.resolve("bars/B_2024-01-02_2025-02-28_split.csv"), days.get(149)))
                .isEqualByComparingTo("26.49");
        java.math.BigDecimal factor = java.math.BigDecimal.ONE.subtract(new java.math.BigDecimal("0.50")
                .divide(new java.math.BigDecimal("26.99"), 12, java.math.RoundingMode.HALF_EVEN));
        assertThat(closeOn(dir.resolve("bars/B_2024-01-02_2025-02-28_all.csv"), days.get(149)))
                .isEqualByComparingTo(new java.math.BigDecimal("26.49").multiply(factor)
                        .setScale(4, java.math.RoundingMode.HALF_EVEN));
        // Held throughout, B's dividend is money: buy and hold ends higher with it than without.
        JsonNode without = new ObjectMapper().readTree(dir.resolve("alpaca-price-only.json").toFile());
        assertThat(new java.math.BigDecimal(json.get("policies").get(0).get("final_equity").asText()))
                .isGreaterThan(new java.math.BigDecimal(without.get("policies").get(0).get("final_equity").asText()));
    }

    private String[] withDividendsExcluded(String[] args) {
        List<String> changed = new java.util.ArrayList<>(List.of(args));
        changed.set(changed.indexOf(dir.resolve("alpaca.json").toString()), dir.resolve("alpaca-price-only.json")
                .toString());
        changed.addAll(List.of("--dividends", "exclude"));
        return changed.toArray(String[]::new);
    }

    private static java.math.BigDecimal closeOn(Path csv, LocalDate day) throws Exception {
        return Files.readAllLines(csv).stream().filter(line -> line.startsWith(day + ",")).map(line ->
                new java.math.BigDecimal(line.split(",")[2])).findFirst().orElseThrow();
    }

    private static String printed(String[] args) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        assertThat(BacktestMain.run(args, new PrintStream(printed, true, StandardCharsets.UTF_8))).isZero();
        return printed.toString(StandardCharsets.UTF_8).lines().filter(line -> !line.startsWith("Written:"))
                .collect(java.util.stream.Collectors.joining("\n"));
    }
}
