package dev.rebalancer.backtest;

import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.InitiatedFrom;
import dev.rebalancer.contracts.MarketCalendar;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.PortfolioStatus;
import dev.rebalancer.contracts.Position;
import dev.rebalancer.contracts.PositionSnapshot;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Strategies;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.rules.drift.AccountState;
import dev.rebalancer.rules.drift.CalendarSchedule;
import dev.rebalancer.rules.drift.DriftRules;
import dev.rebalancer.rules.planning.Asset;
import dev.rebalancer.rules.planning.Holding;
import dev.rebalancer.rules.planning.Lots;
import dev.rebalancer.rules.planning.PlannedOrder;
import dev.rebalancer.rules.planning.Planner;
import dev.rebalancer.rules.planning.RunPlans;
import dev.rebalancer.rules.drift.Drift;
import dev.rebalancer.rules.market.RealizedVolatility;
import dev.rebalancer.contracts.ConditionSubType;
import dev.rebalancer.contracts.ConditionType;
import dev.rebalancer.contracts.RunPhase;
import dev.rebalancer.contracts.TaxLossHarvesting;
import dev.rebalancer.contracts.VolatilityFilter;
import dev.rebalancer.contracts.VolatilityReading;
import java.util.NavigableMap;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One policy on past prices. Every trading day at its close, the account as it stands goes through the drift
 * monitor's rules ({@link DriftRules}: the subscription's first rebalance, deposits, drift bands, calendar conditions,
 * cooldown, the volatility filter on the reading of the day before, tax-loss harvesting) and each request they make
 * through the executor's phases ({@link RunPlans}): the sells first, then the buys planned again on the cash the sells
 * brought; every order fills at the day's close, a buy paying and a sell losing the spread. The classes are the
 * services' own.
 */
public final class Backtest {

    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static final String SPY = "SPY";
    static final String ACCOUNT = "backtest";
    /** The drift monitor's default smallest deposit invested at once. */
    static final BigDecimal MINIMUM_DEPOSIT = BigDecimal.TEN;
    private static final BigDecimal BASIS_POINTS = new BigDecimal("10000");
    /** When in the day the account is looked at and its runs fill: at the close, as the bars price it. */
    private static final LocalTime AT = LocalTime.of(15, 0);

    /**
     * @param weights            the portfolio's weights, as the API takes them
     * @param conditions         its rebalance conditions (none: buy and hold after the first rebalance)
     * @param strategies         its opt-in strategies (trade costs, the volatility filter)
     * @param cooldownDays       its cooldown
     * @param startingCash       the cash the account starts with, invested by the subscription's first rebalance
     * @param monthlyDeposit     deposited on the first trading day of each month after the first (zero: none)
     * @param spreadBps          the cost of a fill in basis points of its value: a buy pays it, a sell loses it
     * @param reserveBasisPoints the executor's cash reserve (its {@code RESERVE_BASIS_POINTS})
     * @param wholeShares        the symbols Alpaca trades in whole shares only (not fractionable)
     * @param band               the drift band every policy is measured against (the days outside it)
     */
    public record Config(List<Weight> weights, List<RebalanceCondition> conditions, Strategies strategies,
            int cooldownDays, BigDecimal startingCash, BigDecimal monthlyDeposit, BigDecimal spreadBps,
            int reserveBasisPoints, Set<String> wholeShares, List<RebalanceCondition> band) {

        /** The band a portfolio without one is measured against: 5 percentage points either way. */
        public static final List<RebalanceCondition> DEFAULT_BAND = List.of(new RebalanceCondition(
                ConditionType.DRIFT_BAND, ConditionSubType.ABSOLUTE, new BigDecimal("5"), null));

        public Config {
            weights = List.copyOf(weights);
            conditions = List.copyOf(conditions);
            strategies = Strategies.orNone(strategies);
            wholeShares = Set.copyOf(wholeShares);
            band = List.copyOf(band);
            if (startingCash.signum() <= 0 || monthlyDeposit.signum() < 0 || spreadBps.signum() < 0) {
                throw new IllegalArgumentException("the starting cash must be positive, the deposit and the spread "
                        + "not negative");
            }
        }

        /** Every symbol fractionable; measured against the policy's own drift band, else {@link #DEFAULT_BAND}. */
        public Config(List<Weight> weights, List<RebalanceCondition> conditions, Strategies strategies,
                int cooldownDays, BigDecimal startingCash, BigDecimal monthlyDeposit, BigDecimal spreadBps,
                int reserveBasisPoints) {
            this(weights, conditions, strategies, cooldownDays, startingCash, monthlyDeposit, spreadBps,
                    reserveBasisPoints, Set.of(), bandOf(conditions));
        }

        /** The drift bands among {@code conditions}, else {@link #DEFAULT_BAND}. */
        public static List<RebalanceCondition> bandOf(List<RebalanceCondition> conditions) {
            List<RebalanceCondition> bands = conditions.stream()
                    .filter(c -> c.type() == ConditionType.DRIFT_BAND).toList();
            return bands.isEmpty() ? DEFAULT_BAND : bands;
        }
    }

    /**
     * The account at a day's close, after the day's runs; {@code runs} are the types of those runs, {@code deposited}
     * the money that came in that day (none on the first, whose cash is the start).
     */
    public record Day(LocalDate date, BigDecimal equity, BigDecimal cash, Map<String, BigDecimal> quantities,
            List<RunType> runs, BigDecimal deposited) {
    }

    /**
     * Every day, and over all of them: the orders filled, their value (turnover) and what the spread cost, the money
     * put in (the starting cash and the deposits), the losses harvesting realised, the days that ended with a weight
     * outside the measuring band, and the days a rebalance was deferred for volatility.
     */
    public record Result(List<Day> days, int orders, BigDecimal turnover, BigDecimal spreadCost, BigDecimal paidIn,
            BigDecimal harvestedLosses, int daysOutsideBand, int daysDeferred) {
    }

    private final Config config;
    private final Prices prices;
    private final DriftRules rules;
    private final RunPlans plans;
    private final NavigableMap<LocalDate, BigDecimal> vix;
    private BigDecimal cash;
    private final Map<String, BigDecimal> held = new TreeMap<>();
    /** What each holding cost, Alpaca's way (average cost: a sell takes its share of the average). */
    private final Map<String, BigDecimal> costBasis = new TreeMap<>();
    private final Map<String, BigDecimal> boughtToday = new TreeMap<>();
    /** Every fill, for the tax lots (with tax-loss harvesting). */
    private final List<Lots.Fill> fills = new ArrayList<>();
    private final List<BigDecimal> spyCloses = new ArrayList<>();
    private BigDecimal harvestedLosses = BigDecimal.ZERO;
    private AccountState state = AccountState.empty();
    private Instant clock;
    private int orders;
    private BigDecimal turnover = BigDecimal.ZERO;
    private BigDecimal spreadCost = BigDecimal.ZERO;
    private int events;
    private final Set<String> deferred = new java.util.HashSet<>();

    private Backtest(Config config, Prices prices, NavigableMap<LocalDate, BigDecimal> vix) {
        if (prices.days().isEmpty()) {
            throw new IllegalArgumentException("no prices: nothing to backtest");
        }
        for (String symbol : symbols(config)) {
            for (Map.Entry<LocalDate, Map<String, BigDecimal>> day : prices.days().entrySet()) {
                if (!day.getValue().containsKey(symbol)) {
                    throw new IllegalArgumentException("no close of " + symbol + " on " + day.getKey()
                            + ": every symbol of the portfolio (and, harvesting, each one's substitute; with "
                            + "spy_realized_vol, SPY) needs a close every day");
                }
            }
        }
        VolatilityFilter filter = config.strategies().volatilityFilter();
        if (filter != null && filter.source() == VolatilityFilter.Source.VIX && vix.isEmpty()) {
            throw new IllegalArgumentException("the volatility filter reads the VIX: give its daily closes "
                    + "(Cboe's VIX_History.csv)");
        }
        this.config = config;
        this.prices = prices;
        this.vix = vix;
        CalendarSchedule calendar = new CalendarSchedule(Set.of());
        LocalDate first = prices.days().firstKey();
        LocalDate last = prices.days().lastKey();
        calendar.learn(new MarketCalendar("prices", first.atStartOfDay(NEW_YORK).toInstant(), first, last,
                prices.days().keySet().stream().map(d -> new MarketCalendar.TradingDay(d, LocalTime.of(9, 30),
                        LocalTime.of(16, 0))).toList()));
        this.rules = new DriftRules(new DriftRules.Settings(MINIMUM_DEPOSIT, NEW_YORK, calendar, Duration.ofDays(1),
                config.reserveBasisPoints()));
        this.plans = new RunPlans(config.reserveBasisPoints());
        this.cash = config.startingCash();
    }

    /** Runs {@code config} over every day of {@code prices} (with no VIX closes). */
    public static Result run(Config config, Prices prices) {
        return run(config, prices, new TreeMap<>());
    }

    /** Runs {@code config} over every day of {@code prices}, the VIX closing at {@code vix} (for its filter). */
    public static Result run(Config config, Prices prices, NavigableMap<LocalDate, BigDecimal> vix) {
        return new Backtest(config, prices, vix).run();
    }

    /**
     * The symbols whose closes a backtest of {@code config} needs: the portfolio's, with tax-loss harvesting each one's
     * substitute, with the volatility filter on SPY's realised volatility SPY.
     */
    public static Set<String> symbols(Config config) {
        Set<String> symbols = new java.util.TreeSet<>();
        config.weights().stream().map(Weight::symbol).filter(java.util.Objects::nonNull).forEach(symbols::add);
        TaxLossHarvesting harvesting = config.strategies().taxLossHarvesting();
        if (harvesting != null) {
            symbols.addAll(harvesting.withSubstitutes(symbols));
        }
        VolatilityFilter filter = config.strategies().volatilityFilter();
        if (filter != null && filter.source() == VolatilityFilter.Source.SPY_REALIZED_VOL) {
            symbols.add(SPY);
        }
        return symbols;
    }

    private Result run() {
        List<Day> days = new ArrayList<>();
        BigDecimal paidIn = config.startingCash();
        LocalDate previous = null;
        int outside = 0;
        for (Map.Entry<LocalDate, Map<String, BigDecimal>> day : prices.days().entrySet()) {
            LocalDate date = day.getKey();
            Map<String, BigDecimal> closes = day.getValue();
            clock = date.atTime(AT).atZone(NEW_YORK).toInstant();
            boughtToday.clear();
            learnVolatility(date);
            List<RunType> runs = new ArrayList<>();
            BigDecimal deposited = BigDecimal.ZERO;
            if (previous == null) {
                state = rules.onTarget(state, target(), tick()).state();
            } else if (config.monthlyDeposit().signum() > 0 && date.getMonth() != previous.getMonth()) {
                cash = cash.add(config.monthlyDeposit());
                paidIn = paidIn.add(config.monthlyDeposit());
                deposited = config.monthlyDeposit();
                execute(rules.onDeposit(state, new CashDeposit("deposit-" + date, ACCOUNT, tick(), "CSD",
                        config.monthlyDeposit(), "USD"), clock), closes, runs);
            }
            execute(rules.onSnapshot(state, snapshot(closes), clock), closes, runs);
            days.add(new Day(date, equity(closes), cash, Map.copyOf(held), List.copyOf(runs), deposited));
            if (Drift.of(config.weights(), config.band(), Drift.paired(snapshot(closes), config.weights(),
                    config.strategies()), config.reserveBasisPoints()).breached()) {
                outside++;
            }
            if (closes.containsKey(SPY)) {
                spyCloses.add(closes.get(SPY));
            }
            previous = date;
        }
        return new Result(List.copyOf(days), orders, turnover.setScale(2, RoundingMode.HALF_EVEN),
                spreadCost.setScale(2, RoundingMode.HALF_EVEN), paidIn,
                harvestedLosses.setScale(2, RoundingMode.HALF_EVEN), outside, deferred.size());
    }

    /**
     * The volatility reading the drift monitor would hold during {@code date}: the latest close before it (the VIX of
     * Cboe's file, or SPY's realised volatility over the closes before it), as portfolio-service publishes it.
     */
    private void learnVolatility(LocalDate date) {
        VolatilityFilter filter = config.strategies().volatilityFilter();
        if (filter == null) {
            return;
        }
        if (filter.source() == VolatilityFilter.Source.VIX) {
            Map.Entry<LocalDate, BigDecimal> close = vix.lowerEntry(date);
            if (close != null) {
                rules.volatility().learn(new VolatilityReading("vix-" + close.getKey(), clock, filter.source(),
                        close.getValue(), close.getKey(), "VIX history"));
            }
        } else {
            RealizedVolatility.of(spyCloses).ifPresent(value -> rules.volatility().learn(new VolatilityReading(
                    "spy-" + date, clock, filter.source(), value, prices.days().lowerKey(date), "SPY's closes")));
        }
    }

    /**
     * Each request of an outcome, run to its end at the day's closes as the executor runs it ({@link RunPlans}: the
     * sells, then the buys planned on the account the sells left), and the rules told of each run's end (the state
     * each request is planned on is the one after the run before it).
     */
    private void execute(DriftRules.Outcome outcome, Map<String, BigDecimal> closes, List<RunType> runs) {
        state = outcome.state();
        outcome.deferrals().forEach(d -> deferred.add(d.eventId()));
        for (RebalanceRequest request : outcome.requests()) {
            List<RunOrder> filled = new ArrayList<>();
            RunPlans.Account account = account(request, closes);
            RunPlans.Phase phase = plans.first(request, plans.plan(request, request.amount(), account, clock),
                    account, clock);
            Map<String, BigDecimal> soldFor = fill(phase.orders(), closes, filled);
            if (phase.phase() == RunPhase.SELLS && RunPlans.buysFollowSells(request.type())) {
                fill(plans.afterSells(request, account(request, closes), soldFor, clock).orElseThrow().orders(),
                        closes, filled);
            }
            if (request.type() == RunType.TAX_LOSS_HARVEST) {
                harvestedLosses = harvestedLosses.add(RunPlans.harvested(request, Lots.of(fills),
                        filled.stream().filter(o -> o.side() == OrderSide.SELL).map(RunOrder::clientOrderId)
                                .collect(java.util.stream.Collectors.toSet()),
                        filled.stream().filter(o -> o.side() == OrderSide.BUY).map(RunOrder::symbol)
                                .collect(java.util.stream.Collectors.toSet()), clock).loss());
            }
            runs.add(request.type());
            Instant ended = tick();
            // What the rules ask once a run has ended (a drift judged on a snapshot after it) runs the same day.
            execute(rules.onRun(state, new RunEvent("run-" + request.runId(), ACCOUNT, ended, request.runId(),
                    request.requestId(), request.portfolioId(), request.type(), request.amount(), InitiatedFrom.SYSTEM,
                    request.trigger(), RunStatus.COMPLETED_SUCCESS, null, null, false, request.weights(), filled,
                    List.of(), List.of(), ended, ended, ended, null, null, null, null), ended), closes, runs);
        }
    }

    /**
     * Fills each order at the day's close: a buy pays the spread on top, a sell brings the close less it. Returns what
     * each security's sells brought.
     */
    private Map<String, BigDecimal> fill(List<PlannedOrder> planned, Map<String, BigDecimal> closes,
            List<RunOrder> filled) {
        BigDecimal spread = config.spreadBps().divide(BASIS_POINTS);
        Map<String, BigDecimal> soldFor = new LinkedHashMap<>();
        for (PlannedOrder order : planned) {
            BigDecimal close = closes.get(order.symbol());
            BigDecimal qty;
            BigDecimal price;
            if (order.side() == OrderSide.BUY) {
                price = close.multiply(BigDecimal.ONE.add(spread));
                BigDecimal spent;
                if (order.notional() != null) {
                    spent = order.notional();
                    qty = spent.divide(price, 9, RoundingMode.DOWN);
                } else {
                    qty = order.qty();
                    spent = qty.multiply(price).setScale(2, RoundingMode.HALF_EVEN);
                }
                cash = cash.subtract(spent);
                held.merge(order.symbol(), qty, BigDecimal::add);
                costBasis.merge(order.symbol(), spent, BigDecimal::add);
                boughtToday.merge(order.symbol(), qty, BigDecimal::add);
            } else {
                price = close.multiply(BigDecimal.ONE.subtract(spread));
                BigDecimal have = held.getOrDefault(order.symbol(), BigDecimal.ZERO);
                qty = (order.qty() != null ? order.qty() : order.notional().divide(close, 9, RoundingMode.DOWN))
                        .min(have);
                BigDecimal proceeds = qty.multiply(price).setScale(2, RoundingMode.HALF_EVEN);
                cash = cash.add(proceeds);
                soldFor.merge(order.symbol(), proceeds, BigDecimal::add);
                BigDecimal left = have.subtract(qty);
                if (left.signum() == 0) {
                    held.remove(order.symbol());
                    costBasis.remove(order.symbol());
                } else {
                    held.put(order.symbol(), left);
                    costBasis.computeIfPresent(order.symbol(), (s, cost) -> cost.multiply(left)
                            .divide(have, 2, RoundingMode.HALF_EVEN));
                }
            }
            BigDecimal value = qty.multiply(close);
            orders++;
            turnover = turnover.add(value);
            spreadCost = spreadCost.add(value.multiply(spread));
            String id = "backtest-" + orders;
            fills.add(new Lots.Fill(id, order.symbol(), order.side(), qty, price, clock));
            filled.add(new RunOrder("order-" + orders, id, order.symbol(), order.side(), qty, order.notional(), qty,
                    price, "filled", clock, clock, null, null, clock, clock, null, null, null, null));
        }
        return soldFor;
    }

    /** The account as the executor reads it for a plan: the book, every priced symbol, the lots when harvesting. */
    private RunPlans.Account account(RebalanceRequest request, Map<String, BigDecimal> closes) {
        List<Holding> holdings = new ArrayList<>();
        Map<String, BigDecimal> heldPrices = new LinkedHashMap<>();
        held.forEach((symbol, qty) -> {
            holdings.add(new Holding(symbol, qty, qty, boughtToday.getOrDefault(symbol, BigDecimal.ZERO)));
            heldPrices.put(symbol, closes.get(symbol));
        });
        Map<String, Asset> assets = new LinkedHashMap<>();
        closes.forEach((symbol, close) -> assets.put(symbol, new Asset(symbol, close,
                !config.wholeShares().contains(symbol))));
        return new RunPlans.Account(new Planner.Book(cash, holdings), assets, request.weights(), heldPrices,
                request.strategies().taxLossHarvesting() == null ? Lots.of(List.of()) : Lots.of(fills), List.of());
    }

    private PositionSnapshot snapshot(Map<String, BigDecimal> closes) {
        List<Position> positions = new ArrayList<>();
        held.forEach((symbol, qty) -> positions.add(new Position(symbol, qty, closes.get(symbol),
                qty.multiply(closes.get(symbol)).setScale(2, RoundingMode.HALF_EVEN), costBasis.get(symbol))));
        return new PositionSnapshot("snapshot-" + events, ACCOUNT, tick(), equity(closes), cash, cash, positions);
    }

    private BigDecimal equity(Map<String, BigDecimal> closes) {
        BigDecimal equity = cash;
        for (Map.Entry<String, BigDecimal> holding : held.entrySet()) {
            equity = equity.add(holding.getValue().multiply(closes.get(holding.getKey())));
        }
        return equity.setScale(2, RoundingMode.HALF_EVEN);
    }

    private TargetAllocation target() {
        return new TargetAllocation("target", ACCOUNT, clock, "backtest", "backtest", PortfolioStatus.ACTIVE,
                config.weights(), config.conditions(), config.cooldownDays(), null, clock, config.strategies());
    }

    /** The day's clock moved on by a second: each event of the day after the one before. */
    private Instant tick() {
        events++;
        clock = clock.plusSeconds(1);
        return clock;
    }
}
