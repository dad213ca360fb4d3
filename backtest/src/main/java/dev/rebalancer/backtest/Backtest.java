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
import dev.rebalancer.rules.planning.Plan;
import dev.rebalancer.rules.planning.PlannedOrder;
import dev.rebalancer.rules.planning.Planner;
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
 * cooldown, the volatility filter) and each request they make through the executor's planner ({@link Planner}): a full
 * rebalance's sells first, then its buys planned again on the cash the sells brought, as the executor does; every
 * order fills at the day's close, a buy paying and a sell losing the spread. The classes are the services' own.
 */
public final class Backtest {

    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
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
     */
    public record Config(List<Weight> weights, List<RebalanceCondition> conditions, Strategies strategies,
            int cooldownDays, BigDecimal startingCash, BigDecimal monthlyDeposit, BigDecimal spreadBps,
            int reserveBasisPoints) {

        public Config {
            weights = List.copyOf(weights);
            conditions = List.copyOf(conditions);
            strategies = Strategies.orNone(strategies);
            if (strategies.taxLossHarvesting() != null) {
                throw new IllegalArgumentException("tax_loss_harvesting is not backtested yet: leave it out");
            }
            if (startingCash.signum() <= 0 || monthlyDeposit.signum() < 0 || spreadBps.signum() < 0) {
                throw new IllegalArgumentException("the starting cash must be positive, the deposit and the spread "
                        + "not negative");
            }
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
     * Every day, and over all of them: the orders filled, their value (turnover) and what the spread cost, and the
     * money put in (the starting cash and the deposits).
     */
    public record Result(List<Day> days, int orders, BigDecimal turnover, BigDecimal spreadCost, BigDecimal paidIn) {
    }

    private final Config config;
    private final Prices prices;
    private final DriftRules rules;
    private final Planner planner;
    private final Planner.Policy policy;
    private BigDecimal cash;
    private final Map<String, BigDecimal> held = new TreeMap<>();
    private final Map<String, BigDecimal> boughtToday = new TreeMap<>();
    private AccountState state = AccountState.empty();
    private Instant clock;
    private int orders;
    private BigDecimal turnover = BigDecimal.ZERO;
    private BigDecimal spreadCost = BigDecimal.ZERO;
    private int events;

    private Backtest(Config config, Prices prices) {
        if (prices.days().isEmpty()) {
            throw new IllegalArgumentException("no prices: nothing to backtest");
        }
        for (Weight weight : config.weights()) {
            if (weight.symbol() == null) {
                continue;
            }
            for (Map.Entry<LocalDate, Map<String, BigDecimal>> day : prices.days().entrySet()) {
                if (!day.getValue().containsKey(weight.symbol())) {
                    throw new IllegalArgumentException("no close of " + weight.symbol() + " on " + day.getKey()
                            + ": every symbol of the portfolio needs a close every day");
                }
            }
        }
        this.config = config;
        this.prices = prices;
        CalendarSchedule calendar = new CalendarSchedule(Set.of());
        LocalDate first = prices.days().firstKey();
        LocalDate last = prices.days().lastKey();
        calendar.learn(new MarketCalendar("prices", first.atStartOfDay(NEW_YORK).toInstant(), first, last,
                prices.days().keySet().stream().map(d -> new MarketCalendar.TradingDay(d, LocalTime.of(9, 30),
                        LocalTime.of(16, 0))).toList()));
        this.rules = new DriftRules(new DriftRules.Settings(MINIMUM_DEPOSIT, NEW_YORK, calendar, Duration.ofDays(1),
                config.reserveBasisPoints()));
        this.planner = new Planner(config.reserveBasisPoints());
        this.policy = new Planner.Policy(config.conditions(), config.strategies().tradeCosts());
        this.cash = config.startingCash();
    }

    /** Runs {@code config} over every day of {@code prices}. */
    public static Result run(Config config, Prices prices) {
        return new Backtest(config, prices).run();
    }

    private Result run() {
        List<Day> days = new ArrayList<>();
        BigDecimal paidIn = config.startingCash();
        LocalDate previous = null;
        for (Map.Entry<LocalDate, Map<String, BigDecimal>> day : prices.days().entrySet()) {
            LocalDate date = day.getKey();
            Map<String, BigDecimal> closes = day.getValue();
            clock = date.atTime(AT).atZone(NEW_YORK).toInstant();
            boughtToday.clear();
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
            previous = date;
        }
        return new Result(List.copyOf(days), orders, turnover.setScale(2, RoundingMode.HALF_EVEN),
                spreadCost.setScale(2, RoundingMode.HALF_EVEN), paidIn);
    }

    /**
     * Each request of an outcome, run to its end at the day's closes, and the rules told of each run's end (the state
     * each request is planned on is the one after the run before it).
     */
    private void execute(DriftRules.Outcome outcome, Map<String, BigDecimal> closes, List<RunType> runs) {
        state = outcome.state();
        for (RebalanceRequest request : outcome.requests()) {
            Map<String, Asset> assets = assets(closes);
            List<RunOrder> filled = new ArrayList<>();
            switch (request.type()) {
                case FULL_REBALANCE -> {
                    Plan sells = planner.fullRebalance(book(), request.weights(), assets, policy);
                    fill(sells.sells(), closes, filled);
                    fill(planner.buysAfterSells(book(), request.weights(), assets, policy).buys(), closes, filled);
                }
                case INVEST_CASH -> fill(planner.investCash(book(), request.weights(), assets, request.amount(),
                        policy).buys(), closes, filled);
                default -> throw new IllegalStateException(request.type() + " runs are not backtested yet");
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

    /** Fills each order at the day's close: a buy pays the spread on top, a sell brings the close less it. */
    private void fill(List<PlannedOrder> planned, Map<String, BigDecimal> closes, List<RunOrder> filled) {
        BigDecimal spread = config.spreadBps().divide(BASIS_POINTS);
        for (PlannedOrder order : planned) {
            BigDecimal close = closes.get(order.symbol());
            BigDecimal qty;
            if (order.side() == OrderSide.BUY) {
                BigDecimal paid = close.multiply(BigDecimal.ONE.add(spread));
                BigDecimal spent;
                if (order.notional() != null) {
                    spent = order.notional();
                    qty = spent.divide(paid, 9, RoundingMode.DOWN);
                } else {
                    qty = order.qty();
                    spent = qty.multiply(paid).setScale(2, RoundingMode.HALF_EVEN);
                }
                cash = cash.subtract(spent);
                held.merge(order.symbol(), qty, BigDecimal::add);
                boughtToday.merge(order.symbol(), qty, BigDecimal::add);
            } else {
                BigDecimal have = held.getOrDefault(order.symbol(), BigDecimal.ZERO);
                qty = (order.qty() != null ? order.qty() : order.notional().divide(close, 9, RoundingMode.DOWN))
                        .min(have);
                cash = cash.add(qty.multiply(close.multiply(BigDecimal.ONE.subtract(spread)))
                        .setScale(2, RoundingMode.HALF_EVEN));
                BigDecimal left = have.subtract(qty);
                if (left.signum() == 0) {
                    held.remove(order.symbol());
                } else {
                    held.put(order.symbol(), left);
                }
            }
            BigDecimal value = qty.multiply(close);
            orders++;
            turnover = turnover.add(value);
            spreadCost = spreadCost.add(value.multiply(spread));
            filled.add(new RunOrder("order-" + orders, "backtest-" + orders, order.symbol(), order.side(), qty,
                    order.notional(), qty, close, "filled", clock, clock, null, null, clock, clock, null, null, null,
                    null));
        }
    }

    private Planner.Book book() {
        List<Holding> holdings = new ArrayList<>();
        held.forEach((symbol, qty) -> holdings.add(new Holding(symbol, qty, qty, boughtToday.getOrDefault(symbol,
                BigDecimal.ZERO))));
        return new Planner.Book(cash, holdings);
    }

    private Map<String, Asset> assets(Map<String, BigDecimal> closes) {
        Map<String, Asset> assets = new LinkedHashMap<>();
        closes.forEach((symbol, close) -> assets.put(symbol, new Asset(symbol, close, true)));
        return assets;
    }

    private PositionSnapshot snapshot(Map<String, BigDecimal> closes) {
        List<Position> positions = new ArrayList<>();
        held.forEach((symbol, qty) -> positions.add(new Position(symbol, qty, closes.get(symbol),
                qty.multiply(closes.get(symbol)).setScale(2, RoundingMode.HALF_EVEN))));
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
