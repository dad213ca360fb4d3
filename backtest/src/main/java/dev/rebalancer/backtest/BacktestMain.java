package dev.rebalancer.backtest;

import dev.rebalancer.alpaca.model.Bar;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.Strategies;
import dev.rebalancer.contracts.VolatilityFilter;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.rules.market.VixHistory;
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
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The backtest command: a portfolio (a JSON file in the API's shape, or a portfolio of a running portfolio-service by
 * its id), daily closes (a CSV of date,symbol,close, or Alpaca's daily bars), policies to compare; prints a table and
 * writes the whole result as JSON, with PNG charts beside it.
 *
 * <pre>
 * backtest (--portfolio portfolio.json | --portfolio-id ID [--api http://localhost:8080])
 *          (--prices closes.csv | --alpaca) [--from 2016-01-04] [--to 2025-12-31]
 *          [--start 10000] [--monthly 0] [--spread-bps 2] [--reserve-bps 25] [--dividends include|exclude]
 *          [--whole-shares SYM,SYM] [--vix VIX_History.csv]
 *          [--policies none,quarterly,band-5,band-5+quarterly,edge-5,band-5+vol,band-5+tlh] [--out backtest.json]
 * (the charts equity.png, drawdown.png and allocation-POLICY.png go beside the JSON)
 * </pre>
 * {@code --portfolio-id} reads the portfolio and its strategies from portfolio-service's API with
 * {@code REBALANCER_API_KEY} and {@code REBALANCER_API_SECRET} (or {@code --api-key}, {@code --api-secret}).
 * {@code --alpaca} reads daily bars from Alpaca's market data API with {@code ALPACA_API_KEY_ID} and
 * {@code ALPACA_API_SECRET_KEY} (or {@code --alpaca-key}, {@code --alpaca-secret}; {@code ALPACA_BASE_URL} or
 * {@code --alpaca-url} chooses the host, paper by default), from {@code --from} (default ten years back) to {@code --to}
 * (yesterday), adjusted for splits and — unless {@code --dividends exclude} — dividends, and Alpaca's word on which
 * symbols trade in whole shares only; both cached in {@code --cache} ({@code ~/.rebalancer/bars}).
 */
public final class BacktestMain {

    public static final String DEFAULT_POLICIES = "none,monthly,quarterly,annually,band-5,relative-20,band-5+quarterly,edge-5";

    /** A portfolio as the API takes it; what a backtest does not need (name, description) is read and left. */
    record PortfolioFile(String name, List<Weight> weights, List<RebalanceCondition> rebalanceConditions,
            Integer cooldownDays, Strategies strategies) {
    }

    /** {@code GET /v1/rebalancing/portfolios/{id}/strategies}. */
    record PortfolioStrategies(String portfolioId, Strategies strategies) {
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

    /** Runs the command on {@code args}, printing to {@code out}; 0 when done (bad input throws, saying what is wrong). */
    public static int run(String[] args, PrintStream out) throws IOException {
        Map<String, String> options = options(args);
        PortfolioFile portfolio = options.containsKey("portfolio")
                ? EventJson.read(Files.readString(path(options, "portfolio")), PortfolioFile.class)
                : fromApi(options);
        if (portfolio.weights() == null || portfolio.weights().isEmpty()) {
            throw new IllegalArgumentException("the portfolio has no weights");
        }
        String dividends = options.getOrDefault("dividends", "include");
        if (!dividends.equals("include") && !dividends.equals("exclude")) {
            throw new IllegalArgumentException("--dividends must be include or exclude, got " + dividends);
        }
        Set<String> wholeShares = new TreeSet<>();
        if (options.containsKey("whole-shares")) {
            for (String symbol : options.get("whole-shares").split(",")) {
                if (!symbol.isBlank()) {
                    wholeShares.add(symbol.strip());
                }
            }
        }
        List<Policies.Policy> policies = new ArrayList<>();
        for (String name : options.getOrDefault("policies", DEFAULT_POLICIES).split(",")) {
            policies.add(Policies.named(name.strip(), listOrEmpty(portfolio.rebalanceConditions()),
                    Strategies.orNone(portfolio.strategies())));
        }
        Set<String> symbols = new TreeSet<>();
        boolean readsVix = false;
        for (Policies.Policy policy : policies) {
            symbols.addAll(Backtest.symbols(config(portfolio, policy, options, wholeShares)));
            VolatilityFilter filter = policy.strategies().volatilityFilter();
            readsVix |= filter != null && filter.source() == VolatilityFilter.Source.VIX;
        }
        NavigableMap<LocalDate, BigDecimal> vix = new TreeMap<>();
        if (options.containsKey("vix")) {
            vix = VixHistory.closes(Files.readString(path(options, "vix")));
        } else if (readsVix) {
            throw new IllegalArgumentException("a policy filters on the VIX: give its daily closes with --vix "
                    + "VIX_History.csv (Cboe's file, " + CBOE_VIX_HISTORY + ")");
        }
        Prices prices = options.containsKey("prices")
                ? Prices.fromCsv(Files.newBufferedReader(path(options, "prices"))).between(date(options, "from"),
                        date(options, "to"))
                : alpaca(options, symbols, dividends.equals("include") ? Bar.Adjustment.ALL : Bar.Adjustment.SPLIT,
                        wholeShares);
        List<PolicyOutcome> outcomes = new ArrayList<>();
        List<Charts.Series> equity = new ArrayList<>();
        List<Charts.Series> drawdowns = new ArrayList<>();
        Map<String, List<Charts.Series>> allocations = new LinkedHashMap<>();
        for (Policies.Policy policy : policies) {
            Backtest.Result result = Backtest.run(config(portfolio, policy, options, wholeShares), prices, vix);
            List<Backtest.Day> days = result.days();
            equity.add(new Charts.Series(policy.name(), days.stream().map(d -> d.equity().doubleValue()).toList()));
            drawdowns.add(new Charts.Series(policy.name(), Charts.drawdown(result)));
            allocations.put(policy.name(), Charts.allocation(result, prices));
            outcomes.add(new PolicyOutcome(policy.name(), Performance.of(result), days.get(days.size() - 1).equity(),
                    result.paidIn(), days.stream().map(d -> new Point(d.date(), d.equity())).toList()));
        }
        LocalDate first = prices.days().firstKey();
        LocalDate last = prices.days().lastKey();
        out.println("Backtest of " + (portfolio.name() == null ? "the portfolio" : portfolio.name()) + ", " + first
                + " to " + last + " (" + prices.days().size() + " trading days)");
        out.print(table(outcomes));
        out.println("days out: days that ended with a weight outside "
                + describe(Backtest.Config.bandOf(listOrEmpty(portfolio.rebalanceConditions())))
                + "; harvested: losses realised by tax-loss harvesting");
        Path json = Path.of(options.getOrDefault("out", "backtest.json"));
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("from", first);
        document.put("to", last);
        document.put("dividends", dividends);
        document.put("whole_shares", wholeShares);
        document.put("policies", outcomes);
        Files.writeString(json, EventJson.write(document));
        out.println("Written: " + json.toAbsolutePath());
        Path charts = json.toAbsolutePath().getParent();
        try {
            for (Path png : Charts.write(charts, prices.days().keySet().stream().map(LocalDate::toString).toList(),
                    equity, drawdowns, allocations)) {
                out.println("Written: " + png);
            }
        } catch (RuntimeException | LinkageError | InternalError e) {
            // Java's 2D graphics need a font on the machine (fontconfig); the figures above stand without charts.
            out.println("Charts not drawn (" + e + "): a font is needed, e.g. Debian's fontconfig and fonts-dejavu-core");
        }
        return 0;
    }

    /** A policy's configuration: the portfolio with the policy's conditions and strategies, and the options. */
    private static Backtest.Config config(PortfolioFile portfolio, Policies.Policy policy, Map<String, String> options,
            Set<String> wholeShares) {
        return new Backtest.Config(portfolio.weights(), policy.conditions(), policy.strategies(),
                portfolio.cooldownDays() == null ? 0 : portfolio.cooldownDays(), decimal(options, "start", "10000"),
                decimal(options, "monthly", "0"), decimal(options, "spread-bps", "2"),
                (int) decimal(options, "reserve-bps", "25").longValue(), wholeShares,
                Backtest.Config.bandOf(listOrEmpty(portfolio.rebalanceConditions())));
    }

    static final String CBOE_VIX_HISTORY = "https://cdn.cboe.com/api/global/us_indices/daily_prices/VIX_History.csv";

    private static String describe(List<RebalanceCondition> band) {
        return band.stream().map(c -> (c.subType() == dev.rebalancer.contracts.ConditionSubType.RELATIVE
                ? "a relative band of " + c.percent().toPlainString() + " % of the target"
                : "±" + c.percent().toPlainString() + " points of the target")).collect(Collectors.joining(" and "));
    }

    /** The portfolio and its strategies from portfolio-service's API. */
    private static PortfolioFile fromApi(Map<String, String> options) throws IOException {
        String id = options.get("portfolio-id");
        String api = options.getOrDefault("api", "http://localhost:8080").replaceAll("/+$", "");
        String key = options.getOrDefault("api-key", System.getenv().getOrDefault("REBALANCER_API_KEY", ""));
        String secret = options.getOrDefault("api-secret", System.getenv().getOrDefault("REBALANCER_API_SECRET", ""));
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString((key + ":" + secret)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .connectTimeout(java.time.Duration.ofSeconds(10)).build();
        String path = "/v1/rebalancing/portfolios/" + java.net.URLEncoder.encode(id,
                java.nio.charset.StandardCharsets.UTF_8);
        PortfolioFile portfolio = EventJson.read(get(http, api + path, auth), PortfolioFile.class);
        PortfolioStrategies strategies = EventJson.read(get(http, api + path + "/strategies", auth),
                PortfolioStrategies.class);
        return new PortfolioFile(portfolio.name(), portfolio.weights(), portfolio.rebalanceConditions(),
                portfolio.cooldownDays(), strategies.strategies());
    }

    private static String get(java.net.http.HttpClient http, String url, String auth) throws IOException {
        try {
            java.net.http.HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(url)).timeout(java.time.Duration.ofSeconds(30)).header("Authorization", auth)
                    .header("Accept", "application/json").GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalArgumentException("GET " + url + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted reading " + url, e);
        } catch (IOException e) {
            throw new IOException("cannot read " + url + " (is portfolio-service running there? --api names it): "
                    + e, e);
        }
    }

    /**
     * Alpaca's daily bars of {@code symbols}, adjusted as asked, and which of them trade in whole shares only (added to
     * {@code wholeShares}); both from the cache when there.
     */
    private static Prices alpaca(Map<String, String> options, Set<String> symbols, Bar.Adjustment adjustment,
            Set<String> wholeShares) throws IOException {
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
        wholeShares.addAll(AlpacaBars.wholeShares(client, symbols, cache));
        return AlpacaBars.closes(client, symbols, from, to, adjustment, cache);
    }

    static String table(List<PolicyOutcome> outcomes) {
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
                "%-20s %8s %10s %30s %7s %7s %14s %10s %10s %8s %14s%n", "policy", "CAGR", "volatility",
                "max drawdown (peak -> trough)", "Sharpe", "orders", "turnover", "costs", "harvested", "days out",
                "final equity"));
        for (PolicyOutcome o : outcomes) {
            Performance p = o.performance();
            table.append(String.format(Locale.ROOT, "%-20s %7.2f%% %9.2f%% %30s %7.2f %7d %14s %10s %10s %8d %14s%n",
                    o.policy(), p.cagr() * 100, p.volatility() * 100, String.format(Locale.ROOT,
                            "%.1f%% (%s -> %s)", p.maxDrawdown() * 100, p.drawdownPeak(), p.drawdownTrough()),
                    p.sharpe(), p.orders(), "$" + p.turnover().toPlainString(), "$" + p.spreadCost().toPlainString(),
                    "$" + p.harvestedLosses().toPlainString(), p.daysOutsideBand(),
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
        if (options.containsKey("portfolio") == options.containsKey("portfolio-id")) {
            throw new IllegalArgumentException("one of --portfolio <file.json> and --portfolio-id <id> is required");
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
