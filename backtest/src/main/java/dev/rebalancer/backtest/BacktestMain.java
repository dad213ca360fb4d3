package dev.rebalancer.backtest;

import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.Strategies;
import dev.rebalancer.contracts.Weight;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The backtest command: a portfolio (a JSON file in the API's shape), daily closes (a CSV of date,symbol,close),
 * policies to compare; prints a table and writes the whole result as JSON.
 *
 * <pre>
 * backtest --portfolio portfolio.json (--prices closes.csv | --alpaca) [--from 2016-01-04] [--to 2025-12-31]
 *          [--start 10000] [--monthly 0] [--spread-bps 2] [--reserve-bps 25]
 *          [--policies none,quarterly,band-5,band-5+quarterly,edge-5] [--out backtest.json]
 * (the charts equity.png and drawdown.png go beside the JSON)
 * </pre>
 * {@code --alpaca} reads daily bars from Alpaca's market data API with {@code ALPACA_API_KEY_ID} and
 * {@code ALPACA_API_SECRET_KEY} (or {@code --alpaca-key}, {@code --alpaca-secret}; {@code ALPACA_BASE_URL} or
 * {@code --alpaca-url} chooses the host, paper by default), from {@code --from} (default ten years back) to {@code --to}
 * (yesterday), cached in {@code --cache} ({@code ~/.rebalancer/bars}).
 */
public final class BacktestMain {

    public static final String DEFAULT_POLICIES = "none,monthly,quarterly,annually,band-5,relative-20,band-5+quarterly,edge-5";

    /** A portfolio as the API takes it; what a backtest does not need (name, description) is read and left. */
    record PortfolioFile(String name, List<Weight> weights, List<RebalanceCondition> rebalanceConditions,
            Integer cooldownDays, Strategies strategies) {
    }

    /** One policy's outcome, as the JSON shows it. */
    record PolicyOutcome(String policy, Performance performance, BigDecimal finalEquity, BigDecimal paidIn,
            List<Point> equity) {
    }

    record Point(LocalDate date, BigDecimal equity) {
    }

    private BacktestMain() {
    }

    public static void main(String[] args) {
        try {
            System.exit(run(args, System.out));
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("backtest: " + e.getMessage());
            System.exit(2);
        }
    }

    static int run(String[] args, PrintStream out) throws IOException {
        Map<String, String> options = options(args);
        PortfolioFile portfolio = EventJson.read(Files.readString(path(options, "portfolio")), PortfolioFile.class);
        if (portfolio.weights() == null || portfolio.weights().isEmpty()) {
            throw new IllegalArgumentException("the portfolio has no weights");
        }
        Prices prices = options.containsKey("prices")
                ? Prices.fromCsv(Files.newBufferedReader(path(options, "prices"))).between(date(options, "from"),
                        date(options, "to"))
                : alpaca(options, portfolio);
        List<PolicyOutcome> outcomes = new ArrayList<>();
        List<Charts.Series> equity = new ArrayList<>();
        List<Charts.Series> drawdowns = new ArrayList<>();
        for (String name : options.getOrDefault("policies", DEFAULT_POLICIES).split(",")) {
            Policies.Policy policy = Policies.named(name.strip(), listOrEmpty(portfolio.rebalanceConditions()),
                    Strategies.orNone(portfolio.strategies()));
            Backtest.Result result = Backtest.run(new Backtest.Config(portfolio.weights(), policy.conditions(),
                    policy.strategies(), portfolio.cooldownDays() == null ? 0 : portfolio.cooldownDays(),
                    decimal(options, "start", "10000"), decimal(options, "monthly", "0"),
                    decimal(options, "spread-bps", "2"), (int) decimal(options, "reserve-bps", "25").longValue()),
                    prices);
            List<Backtest.Day> days = result.days();
            equity.add(new Charts.Series(policy.name(), days.stream().map(d -> d.equity().doubleValue()).toList()));
            drawdowns.add(new Charts.Series(policy.name(), Charts.drawdown(result)));
            outcomes.add(new PolicyOutcome(policy.name(), Performance.of(result), days.get(days.size() - 1).equity(),
                    result.paidIn(), days.stream().map(d -> new Point(d.date(), d.equity())).toList()));
        }
        LocalDate first = prices.days().firstKey();
        LocalDate last = prices.days().lastKey();
        out.println("Backtest of " + (portfolio.name() == null ? "the portfolio" : portfolio.name()) + ", " + first
                + " to " + last + " (" + prices.days().size() + " trading days)");
        out.print(table(outcomes));
        Path json = Path.of(options.getOrDefault("out", "backtest.json"));
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("from", first);
        document.put("to", last);
        document.put("policies", outcomes);
        Files.writeString(json, EventJson.write(document));
        out.println("Written: " + json.toAbsolutePath());
        Path charts = json.toAbsolutePath().getParent();
        try {
            for (Path png : Charts.write(charts, prices.days().keySet().stream().map(LocalDate::toString).toList(),
                    equity, drawdowns)) {
                out.println("Written: " + png);
            }
        } catch (RuntimeException | LinkageError | InternalError e) {
            // Java's 2D graphics need a font on the machine (fontconfig); the figures above stand without charts.
            out.println("Charts not drawn (" + e + "): a font is needed, e.g. Debian's fontconfig and fonts-dejavu-core");
        }
        return 0;
    }

    private static Prices alpaca(Map<String, String> options, PortfolioFile portfolio) throws IOException {
        String key = options.getOrDefault("alpaca-key", System.getenv("ALPACA_API_KEY_ID"));
        String secret = options.getOrDefault("alpaca-secret", System.getenv("ALPACA_API_SECRET_KEY"));
        if (key == null || secret == null) {
            throw new IllegalArgumentException("--alpaca needs ALPACA_API_KEY_ID and ALPACA_API_SECRET_KEY (or "
                    + "--alpaca-key and --alpaca-secret)");
        }
        String base = options.getOrDefault("alpaca-url", System.getenv().getOrDefault("ALPACA_BASE_URL",
                dev.rebalancer.alpaca.AlpacaEndpoint.PAPER.toString()));
        LocalDate to = date(options, "to") != null ? date(options, "to")
                : LocalDate.now(Backtest.NEW_YORK).minusDays(1);
        LocalDate from = date(options, "from") != null ? date(options, "from") : to.minusYears(10);
        Path cache = Path.of(options.getOrDefault("cache", Path.of(System.getProperty("user.home"), ".rebalancer",
                "bars").toString()));
        dev.rebalancer.alpaca.AlpacaClient client = new dev.rebalancer.alpaca.AlpacaClient(
                new dev.rebalancer.alpaca.AlpacaEndpoint(java.net.URI.create(base), key, secret),
                dev.rebalancer.alpaca.AlpacaClientOptions.defaults());
        return AlpacaBars.closes(client, portfolio.weights().stream().map(Weight::symbol)
                .filter(java.util.Objects::nonNull).toList(), from, to, cache);
    }

    static String table(List<PolicyOutcome> outcomes) {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-20s %8s %10s %30s %7s %7s %14s %10s %14s%n",
                "policy", "CAGR", "volatility", "max drawdown (peak -> trough)", "Sharpe", "orders", "turnover",
                "costs", "final equity"));
        for (PolicyOutcome o : outcomes) {
            Performance p = o.performance();
            table.append(String.format(Locale.ROOT, "%-20s %7.2f%% %9.2f%% %30s %7.2f %7d %14s %10s %14s%n",
                    o.policy(), p.cagr() * 100, p.volatility() * 100, String.format(Locale.ROOT,
                            "%.1f%% (%s -> %s)", p.maxDrawdown() * 100, p.drawdownPeak(), p.drawdownTrough()),
                    p.sharpe(), p.orders(), "$" + p.turnover().toPlainString(), "$" + p.spreadCost().toPlainString(),
                    "$" + o.finalEquity().toPlainString()));
        }
        return table.toString();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option [value], got " + args[i]);
            }
            boolean flag = i + 1 >= args.length || args[i + 1].startsWith("--");
            options.put(args[i].substring(2), flag ? "true" : args[++i]);
        }
        if (!options.containsKey("portfolio")) {
            throw new IllegalArgumentException("--portfolio is required");
        }
        if (options.containsKey("prices") == options.containsKey("alpaca")) {
            throw new IllegalArgumentException("one of --prices <closes.csv> and --alpaca is required");
        }
        return options;
    }

    private static Path path(Map<String, String> options, String name) {
        Path path = Path.of(options.get(name));
        if (!Files.isReadable(path)) {
            throw new IllegalArgumentException("--" + name + ": cannot read " + path);
        }
        return path;
    }

    private static LocalDate date(Map<String, String> options, String name) {
        String value = options.get(name);
        try {
            return value == null ? null : LocalDate.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("--" + name + " must be a date such as 2016-01-04, got " + value);
        }
    }

    private static BigDecimal decimal(Map<String, String> options, String name, String otherwise) {
        String value = options.getOrDefault(name, otherwise);
        try {
            return new BigDecimal(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number, got " + value);
        }
    }

    private static <T> List<T> listOrEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
