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
                        + "edge-5,portfolio", "--monthly", "500", "--out", dir.resolve("out.json").toString()},
                new PrintStream(printed, true, StandardCharsets.UTF_8));

        assertThat(status).isZero();
        String table = printed.toString(StandardCharsets.UTF_8);
        assertThat(table).startsWith("Backtest of Sixty forty, 2024-02-01 to ");
        assertThat(table.lines().filter(line -> line.matches("^(none|band-5|quarterly|edge-5|portfolio) .*")))
                .hasSize(5);
        JsonNode json = new ObjectMapper().readTree(dir.resolve("out.json").toFile());
        assertThat(json.get("from").asText()).isEqualTo("2024-02-01");
        assertThat(json.get("policies")).hasSize(5);
        JsonNode none = json.get("policies").get(0);
        assertThat(none.get("policy").asText()).isEqualTo("none");
        assertThat(none.get("performance").get("orders").asInt()).as("buy and hold: two buys, then deposits")
                .isLessThan(json.get("policies").get(1).get("performance").get("orders").asInt());
        assertThat(none.get("equity").get(0).get("date").asText()).isEqualTo("2024-02-01");
        for (String chart : java.util.List.of("equity.png", "drawdown.png")) {
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
                .hasMessage("--portfolio is required");
        assertThatThrownBy(() -> BacktestMain.run(new String[] {"--portfolio", portfolio, "--prices", prices,
                "--policies", "monthly+weekly"}, out)).hasMessageContaining("one calendar condition at most");
        assertThatThrownBy(() -> BacktestMain.run(new String[] {"--portfolio", portfolio, "--prices", prices,
                "--policies", "sometimes"}, out)).hasMessageContaining("not a policy: sometimes");
        assertThatThrownBy(() -> BacktestMain.run(new String[] {"--portfolio", portfolio, "--prices", prices,
                "--from", "2030-01-01"}, out)).hasMessageContaining("no prices from 2030-01-01");
        files("date,symbol,close\n2024-01-02,A,100\n");
        assertThatThrownBy(() -> BacktestMain.run(new String[] {"--portfolio", portfolio, "--prices", prices}, out))
                .hasMessage("no close of B on 2024-01-02: every symbol of the portfolio needs a close every day");
    }

    /**
     * Alpaca's daily bars, from the simulator serving them in Alpaca's format: read once into the cache; a second run
     * with the simulator gone gives the same table from the cache alone.
     */
    @Test
    void alpacas_daily_bars_are_read_once_and_then_come_from_the_cache() throws Exception {
        files("date,symbol,close\n");
        java.util.Map<LocalDate, String> a = new java.util.TreeMap<>();
        java.util.Map<LocalDate, String> b = new java.util.TreeMap<>();
        LocalDate day = LocalDate.parse("2024-01-02");
        for (int i = 0; i < 300; i++, day = day.plusDays(day.getDayOfWeek().getValue() == 5 ? 3 : 1)) {
            a.put(day, String.format(java.util.Locale.ROOT, "%.2f", 100 + 30 * Math.sin(i / 25.0)));
            b.put(day, String.format(java.util.Locale.ROOT, "%.2f", 50 + i * 0.02));
        }
        String[] args;
        String first;
        try (dev.rebalancer.sim.AlpacaSimServer sim = dev.rebalancer.sim.AlpacaSimServer.start(0)) {
            sim.admin().createAccount("bars-key", "bars-secret", "0");
            sim.admin().closes("A", a);
            sim.admin().closes("B", b);
            args = new String[] {"--portfolio", dir.resolve("portfolio.json").toString(), "--alpaca", "--alpaca-url",
                    sim.baseUrl().toString(), "--alpaca-key", "bars-key", "--alpaca-secret", "bars-secret", "--from",
                    "2024-01-02", "--to", "2025-02-28", "--cache", dir.resolve("bars").toString(), "--policies",
                    "none,band-5", "--out", dir.resolve("alpaca.json").toString()};
            first = printed(args);
        }
        String again = printed(args);

        assertThat(first).startsWith("Backtest of Sixty forty, 2024-01-02 to " + day.minusDays(
                day.getDayOfWeek().getValue() == 1 ? 3 : 1) + " (300 trading days)");
        assertThat(first.lines().filter(line -> line.matches("^(none|band-5) .*"))).hasSize(2);
        assertThat(again).as("the same, with the simulator gone").isEqualTo(first);
        assertThat(Files.list(dir.resolve("bars")).map(p -> p.getFileName().toString()))
                .containsExactlyInAnyOrder("A_2024-01-02_2025-02-28.csv", "B_2024-01-02_2025-02-28.csv");
    }

    private static String printed(String[] args) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        assertThat(BacktestMain.run(args, new PrintStream(printed, true, StandardCharsets.UTF_8))).isZero();
        return printed.toString(StandardCharsets.UTF_8).lines().filter(line -> !line.startsWith("Written:"))
                .collect(java.util.stream.Collectors.joining("\n"));
    }
}
