package dev.rebalancer.rules.planning;

import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.SkippedOrder;
import dev.rebalancer.contracts.TradeCosts;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.contracts.WeightType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a run trades, at the prices it is planned with. Plain arithmetic, no I/O.
 *
 * <ul>
 * <li>{@code full_rebalance}: target value = weight × equity; sell what is over its target (everything of positions
 * outside the targets), buy what is under, largest shortfall first.</li>
 * <li>{@code invest_cash}: buy-only, the amount to the most relatively underweight weights first.</li>
 * <li>{@code partial_liquidation}: sell-only, the amount from the most overweight first, the rest from the largest
 * holdings.</li>
 * <li>{@link #buysAfterSells}: the buys of a full rebalance once its sells have settled, on the cash that is there.</li>
 * </ul>
 * Buys are sized on cash the account holds, never on proceeds still to come, and never above Alpaca's non-marginable
 * buying power: a margin account is never borrowed on. Sells take only what is not held for open orders; an asset
 * Alpaca does not trade is skipped with a reason.
 * A cash reserve (basis points of equity) is never spent. No trade overshoots its target, and cash is kept within the
 * largest deviation the account had — so a plan never leaves the drift larger than it found it: proceeds that cannot
 * be put to work (whole-share assets, the reserve, Alpaca's $1 minimum) are not raised in the first place. Buys by
 * notional to the cent, sells by quantity to nine decimals, whole shares where Alpaca trades no fractions, everything
 * rounded toward trading less; an order under $1 is skipped with Alpaca's reason.
 */
public final class Planner {

    public static final BigDecimal MIN_ORDER = new BigDecimal("1.00");
    private static final BigDecimal HUNDRED = new BigDecimal("100");
    private static final BigDecimal BASIS_POINTS = new BigDecimal("10000");
    private static final int MONEY = 2;
    private static final int QTY = 9;
    private static final int ROUNDS = 20;

    /**
     * The account at planning time: its cash, Alpaca's {@code non_marginable_buying_power} (what can be bought without
     * borrowing: the cash less what open buys may still spend) and its holdings.
     */
    public record Book(BigDecimal cash, BigDecimal nonMarginableBuyingPower, List<Holding> holdings) {
        public Book {
            holdings = List.copyOf(holdings);
        }

        /** An account with no open order: all of its cash can be spent. */
        public Book(BigDecimal cash, List<Holding> holdings) {
            this(cash, cash, holdings);
        }
    }

    /**
     * What a portfolio asks of its trades beyond its weights: its drift bands, its opt-in {@link TradeCosts} (null:
     * off, every weight traded to its target as it always was), and under tax-loss harvesting its substitute pairs and
     * the securities the wash-sale guard keeps from being bought ({@link WashSale}).
     */
    public record Policy(List<RebalanceCondition> bands, TradeCosts costs, WashSale washSale) {
        public static final Policy NONE = new Policy(List.of(), null, WashSale.NONE);

        public Policy {
            bands = List.copyOf(bands);
            washSale = washSale == null ? WashSale.NONE : washSale;
        }

        /** Bands and trade costs, no substitutes and nothing blocked. */
        public Policy(List<RebalanceCondition> bands, TradeCosts costs) {
            this(bands, costs, WashSale.NONE);
        }
    }

    public static final String QTY_NOT_AVAILABLE = "QTY_NOT_AVAILABLE";
    public static final String DAY_TRADE_DEFERRED = "DAY_TRADE_DEFERRED";

    private final BigDecimal reserveBasisPoints;

    public Planner(int reserveBasisPoints) {
        if (reserveBasisPoints < 0) {
            throw new IllegalArgumentException("the reserve cannot be negative");
        }
        this.reserveBasisPoints = BigDecimal.valueOf(reserveBasisPoints);
    }

    public Plan fullRebalance(Book book, List<Weight> weights, Map<String, Asset> assets) {
        return fullRebalance(book, weights, assets, Policy.NONE);
    }

    /**
     * A full rebalance under the portfolio's policy: with trade costs, each weight is traded toward its goal (see
     * {@link Goals}) instead of its target, and what is not worth its cost is skipped with
     * {@link TradeCosts#COST_EXCEEDS_BENEFIT}.
     */
    public Plan fullRebalance(Book book, List<Weight> portfolio, Map<String, Asset> assets, Policy policy) {
        List<Weight> weights = policy.washSale().split(portfolio, book, assets);
        Targets targets = new Targets(book, weights, assets);
        List<SkippedOrder> skipped = new ArrayList<>();
        Goals.aim(targets, weights, assets, policy, reserve(targets.equity), skipped);
        List<Draft> sells = new ArrayList<>();
        for (String symbol : targets.held.keySet()) {
            BigDecimal excess = targets.value(symbol).subtract(targets.target(symbol));
            if (excess.signum() > 0) {
                sells.add(new Draft(symbol, OrderSide.SELL, excess));
            }
        }
        List<Draft> buys = shortfalls(targets, Comparator.comparing((Draft d) -> d.wanted).reversed());
        BigDecimal reserve = reserve(targets.equity);
        // Cash ends between its floor (never below the reserve) and its target plus the reserve plus the largest
        // deviation, cash's judged net of the reserve: the reserve is no drift (the drift monitor judges cash net of
        // it), so it never stops a rebalance, and no rebalance leaves more drift than it found.
        BigDecimal deviation = targets.deviation(reserve);
        BigDecimal low = targets.cashTarget.subtract(deviation).max(reserve);
        BigDecimal high = targets.cashTarget.add(deviation).add(reserve);
        List<PlannedOrder> sold = List.of();
        List<PlannedOrder> bought = List.of();
        BigDecimal sellLimit = null;
        BigDecimal buyLimit = null;
        for (int round = 0; round < ROUNDS; round++) {
            sold = realize(sells, sellLimit, targets, assets, skipped, round == 0);
            // The whole plan as it would be if every sell filled: what a dry run shows. The executor never sends
            // these buys; it plans them again with buysAfterSells on the cash the sells actually brought.
            BigDecimal budget = book.cash().add(sum(sold)).subtract(low);
            buyLimit = buyLimit == null ? budget : buyLimit.min(budget);
            bought = realize(buys, buyLimit, targets, assets, skipped, round == 0);
            BigDecimal cashAfter = book.cash().add(sum(sold)).subtract(sum(bought));
            if (cashAfter.compareTo(high) > 0) {
                BigDecimal trimmed = sum(sold).subtract(cashAfter.subtract(high));
                sellLimit = sellLimit == null ? trimmed : sellLimit.min(trimmed);
            } else if (cashAfter.compareTo(low) < 0 && !bought.isEmpty()) {
                // The floor holds buys back; cash below it with nothing bought was below it before the sells.
                buyLimit = buyLimit.subtract(low.subtract(cashAfter));
            } else {
                return guarded(new Plan(sold, bought, skipped, reserve), policy);
            }
        }
        return new Plan(List.of(), List.of(), skipped, reserve);
    }

    /**
     * The buys of a full rebalance once its sells have settled, whichever of them filled: buy-only, largest shortfall
     * first, on the cash the account holds now less the reserve and the cash floor, never above its non-marginable
     * buying power. Proceeds of a sell that was refused, canceled or expired are not there, so they are not spent.
     */
    public Plan buysAfterSells(Book book, List<Weight> weights, Map<String, Asset> assets) {
        return buysAfterSells(book, weights, assets, Policy.NONE);
    }

    /** The buys of a full rebalance under the portfolio's policy, toward the goals the account has now. */
    public Plan buysAfterSells(Book book, List<Weight> portfolio, Map<String, Asset> assets, Policy policy) {
        List<Weight> weights = policy.washSale().split(portfolio, book, assets);
        Targets targets = new Targets(book, weights, assets);
        List<SkippedOrder> skipped = new ArrayList<>();
        Goals.aim(targets, weights, assets, policy, reserve(targets.equity), skipped);
        List<Draft> buys = shortfalls(targets, Comparator.comparing((Draft d) -> d.wanted).reversed());
        return guarded(new Plan(List.of(), realize(buys, spendable(book, targets), targets, assets, skipped, true),
                skipped, reserve(targets.equity)), policy);
    }

    /**
     * What buys may spend: the cash that is there and not held for open buys (non-marginable buying power, never more
     * than the cash), less the reserve and the cash floor (cash is not taken further below its target than the largest
     * deviation the account had).
     */
    private BigDecimal spendable(Book book, Targets targets) {
        BigDecimal floor = targets.cashTarget.subtract(targets.maxDeviation).max(reserve(targets.equity));
        return book.cash().min(book.nonMarginableBuyingPower()).subtract(floor).max(BigDecimal.ZERO);
    }

    public Plan investCash(Book book, List<Weight> weights, Map<String, Asset> assets, BigDecimal amount) {
        return investCash(book, weights, assets, amount, Policy.NONE);
    }

    /**
     * invest_cash under the portfolio's policy: the deposit still goes to the weights by their shortfall from target
     * (a deposit is invested, not parked at a band's edge), but a buy not worth its cost is skipped where leaving the
     * cash uninvested keeps every weight inside its band.
     */
    public Plan investCash(Book book, List<Weight> portfolio, Map<String, Asset> assets, BigDecimal amount,
            Policy policy) {
        List<Weight> weights = policy.washSale().split(portfolio, book, assets);
        Targets targets = new Targets(book, weights, assets);
        BigDecimal budget = amount.min(spendable(book, targets));
        List<Draft> buys = shortfalls(targets, Comparator.comparing((Draft d) ->
                d.wanted.divide(targets.target(d.symbol), 12, RoundingMode.HALF_EVEN)).reversed());
        List<SkippedOrder> skipped = new ArrayList<>();
        List<PlannedOrder> bought = Goals.costsOnly(targets, weights, assets, policy).dropWhatDoesNotPay(
                realize(buys, budget, targets, assets, skipped, true), book.cash(), skipped);
        return guarded(new Plan(List.of(), bought, skipped, reserve(targets.equity)), policy);
    }

    /**
     * A harvest: each of {@code harvested} (held, its loss past the threshold: the caller's judgement, from its lots)
     * whose substitute can be bought right away — it trades, the wash-sale guard does not block it, it is not harvested
     * itself — sold entirely, and its substitute bought for the proceeds — the buys as they would be if
     * every sell filled at the planning prices (the executor plans them again with {@link #harvestBuys} on what the
     * sells brought). The pair's combined weight is unchanged but for the rounding; buys never beyond cash − reserve.
     */
    public Plan harvest(Book book, Map<String, Asset> assets, java.util.Set<String> harvested, Policy policy) {
        Targets targets = new Targets(book, List.of(), assets);
        List<SkippedOrder> skipped = new ArrayList<>();
        List<Draft> sells = new ArrayList<>();
        for (String symbol : targets.held.keySet()) {
            String substitute = policy.washSale().substitutes().get(symbol);
            Asset replacement = substitute == null ? null : assets.get(substitute);
            // Only what can be replaced at once: a substitute that trades, may be bought, and is not sold itself.
            if (harvested.contains(symbol) && replacement != null && replacement.tradable()
                    && !policy.washSale().noBuy().contains(substitute) && !harvested.contains(substitute)) {
                sells.add(new Draft(symbol, OrderSide.SELL, targets.value(symbol)));
            }
        }
        List<PlannedOrder> sold = realize(sells, null, targets, assets, skipped, true);
        Map<String, BigDecimal> replacing = new LinkedHashMap<>();
        sold.forEach(sell -> replacing.merge(policy.washSale().substitutes().get(sell.symbol()), sell.value(),
                BigDecimal::add));
        Map<String, BigDecimal> soldQty = new LinkedHashMap<>();
        sold.forEach(sell -> soldQty.merge(sell.symbol(), sell.qty(), BigDecimal::add));
        List<Holding> left = new ArrayList<>();
        for (Holding holding : book.holdings()) {
            BigDecimal gone = soldQty.getOrDefault(holding.symbol(), BigDecimal.ZERO).min(holding.qty());
            soldQty.computeIfPresent(holding.symbol(), (symbol, qty) -> qty.subtract(gone));
            if (holding.qty().compareTo(gone) > 0) {
                left.add(new Holding(holding.symbol(), holding.qty().subtract(gone),
                        holding.available().subtract(gone).max(BigDecimal.ZERO), holding.boughtToday()));
            }
        }
        Plan buys = harvestBuys(new Book(book.cash().add(sum(sold)), book.nonMarginableBuyingPower().add(sum(sold)),
                left), assets, replacing, policy);
        skipped.addAll(buys.skipped());
        return new Plan(sold, buys.buys(), skipped, reserve(targets.equity));
    }

    /**
     * A harvest's buys once its sells settled: each substitute for the dollars {@code replacing} gives it (what its
     * security's sell brought), largest first, on the cash there less the reserve, never above non-marginable buying
     * power, never a security the wash-sale guard blocks.
     */
    public Plan harvestBuys(Book book, Map<String, Asset> assets, Map<String, BigDecimal> replacing, Policy policy) {
        Targets targets = new Targets(book, List.of(), assets);
        List<Draft> buys = new ArrayList<>();
        replacing.forEach((symbol, dollars) -> buys.add(new Draft(symbol, OrderSide.BUY, dollars)));
        buys.sort(Comparator.comparing((Draft d) -> d.wanted).reversed().thenComparing(d -> d.symbol));
        BigDecimal reserve = reserve(targets.equity);
        BigDecimal spendable = book.cash().min(book.nonMarginableBuyingPower()).subtract(reserve).max(BigDecimal.ZERO);
        List<SkippedOrder> skipped = new ArrayList<>();
        return guarded(new Plan(List.of(), realize(buys, spendable, targets, assets, skipped, true), skipped, reserve),
                policy);
    }

    /** A plan without any buy the wash-sale guard blocks: each is skipped, with the words that say why. */
    private static Plan guarded(Plan plan, Policy policy) {
        java.util.Set<String> blocked = policy.washSale().noBuy();
        if (blocked.isEmpty() || plan.buys().stream().noneMatch(b -> blocked.contains(b.symbol()))) {
            return plan;
        }
        List<SkippedOrder> skipped = new ArrayList<>(plan.skipped());
        List<PlannedOrder> buys = new ArrayList<>();
        for (PlannedOrder buy : plan.buys()) {
            if (blocked.contains(buy.symbol())) {
                skipped.add(new SkippedOrder(buy.symbol(), OrderSide.BUY, buy.value().setScale(MONEY,
                        RoundingMode.DOWN), "USD", dev.rebalancer.contracts.TaxLossHarvesting.WASH_SALE, buy.symbol()
                        + " was sold at a loss less than 30 days ago: buying it back now would be a wash sale"));
            } else {
                buys.add(buy);
            }
        }
        return new Plan(plan.sells(), buys, skipped, plan.reserve());
    }

    public Plan partialLiquidation(Book book, List<Weight> weights, Map<String, Asset> assets, BigDecimal amount) {
        return partialLiquidation(book, weights, assets, amount, Policy.NONE);
    }

    /** partial_liquidation with the portfolio's substitute pairs: a security and its substitute are one weight. */
    public Plan partialLiquidation(Book book, List<Weight> portfolio, Map<String, Asset> assets, BigDecimal amount,
            Policy policy) {
        List<Weight> weights = policy.washSale().split(portfolio, book, assets);
        Targets after = new Targets(book, weights, assets, amount);
        List<Draft> sells = new ArrayList<>();
        for (String symbol : after.held.keySet()) {
            BigDecimal excess = after.value(symbol).subtract(after.target(symbol));
            if (excess.signum() > 0) {
                sells.add(new Draft(symbol, OrderSide.SELL, excess));
            }
        }
        sells.sort(Comparator.comparing((Draft d) -> d.wanted).reversed());
        // Beyond what the overweights give, the rest of the amount comes from the largest holdings.
        List<Draft> largestFirst = new ArrayList<>();
        for (String symbol : after.held.keySet()) {
            largestFirst.add(new Draft(symbol, OrderSide.SELL, after.value(symbol)));
        }
        largestFirst.sort(Comparator.comparing((Draft d) -> d.wanted).reversed().thenComparing(d -> d.symbol));
        sells.addAll(largestFirst);
        List<Draft> merged = new ArrayList<>();
        Map<String, BigDecimal> taken = new LinkedHashMap<>();
        BigDecimal remaining = amount;
        for (Draft draft : sells) {
            BigDecimal available = after.value(draft.symbol).subtract(taken.getOrDefault(draft.symbol, BigDecimal.ZERO));
            BigDecimal take = draft.wanted.min(available).min(remaining);
            if (take.signum() > 0) {
                taken.merge(draft.symbol, take, BigDecimal::add);
                remaining = remaining.subtract(take);
            }
        }
        taken.forEach((symbol, value) -> merged.add(new Draft(symbol, OrderSide.SELL, value)));
        List<SkippedOrder> skipped = new ArrayList<>();
        return new Plan(realize(merged, amount, after, assets, skipped, true), List.of(), skipped,
                reserve(after.equity));
    }

    private static final BigDecimal CENT = new BigDecimal("0.01");

    /** The reserve in dollars, rounded up to the cent so that rounding never spends into it. */
    BigDecimal reserve(BigDecimal equity) {
        return equity.multiply(reserveBasisPoints).divide(BASIS_POINTS, MONEY, RoundingMode.CEILING);
    }

    private static List<Draft> shortfalls(Targets targets, Comparator<Draft> order) {
        List<Draft> buys = new ArrayList<>();
        targets.targets.forEach((symbol, target) -> {
            BigDecimal shortfall = target.subtract(targets.value(symbol));
            if (shortfall.signum() > 0) {
                buys.add(new Draft(symbol, OrderSide.BUY, shortfall));
            }
        });
        buys.sort(order.thenComparing(d -> d.symbol));
        return buys;
    }

    /**
     * Turns wanted values into orders Alpaca takes, in order, within a total limit (null: none): each rounded toward
     * trading less; what comes to under $1 is skipped (recorded once), unless it is under a cent: rounding dust from
     * earlier fractional fills, not an order anyone would place.
     */
    private static List<PlannedOrder> realize(List<Draft> drafts, BigDecimal limit, Targets targets,
            Map<String, Asset> assets, List<SkippedOrder> skipped, boolean recordSkips) {
        List<PlannedOrder> orders = new ArrayList<>();
        BigDecimal left = limit;
        for (Draft draft : drafts) {
            BigDecimal wanted = left == null ? draft.wanted : draft.wanted.min(left);
            if (wanted.signum() <= 0) {
                continue;
            }
            Asset asset = assets.get(draft.symbol);
            if (asset != null && !asset.tradable()) {
                if (recordSkips && wanted.compareTo(CENT) >= 0) {
                    skipped.add(skip(draft, wanted, asset.restriction().reason, draft.symbol
                            + asset.restriction().details));
                }
                continue;
            }
            BigDecimal price = asset != null ? asset.price() : targets.prices.get(draft.symbol);
            boolean fractional = asset == null || asset.fractionable();
            PlannedOrder order;
            if (draft.side == OrderSide.BUY) {
                order = buy(draft.symbol, wanted, price, fractional);
            } else {
                BigDecimal available = targets.available.get(draft.symbol);
                if (available.signum() == 0) {
                    if (recordSkips && wanted.compareTo(CENT) >= 0) {
                        skipped.add(skip(draft, wanted, QTY_NOT_AVAILABLE, "all of " + draft.symbol
                                + " is held for open orders: none is available to sell"));
                    }
                    continue;
                }
                boolean everything = wanted.compareTo(targets.value(draft.symbol)) >= 0;
                BigDecimal locked = targets.boughtToday.getOrDefault(draft.symbol, BigDecimal.ZERO).min(available);
                order = sell(draft.symbol, wanted, price, fractional, available, everything);
                BigDecimal sellable = available.subtract(locked);
                if (order.qty().compareTo(sellable) > 0) {
                    PlannedOrder allowed = sell(draft.symbol, wanted, price, fractional, sellable, everything);
                    BigDecimal deferred = order.value().subtract(allowed.value());
                    if (recordSkips && deferred.compareTo(CENT) >= 0) {
                        skipped.add(skip(draft, deferred, DAY_TRADE_DEFERRED, locked.stripTrailingZeros().toPlainString()
                                + " shares of " + draft.symbol + " were bought today, and selling them on a margin "
                                + "account under $25,000 would be a day trade: deferred to the next session"));
                    }
                    order = allowed;
                }
            }
            if (order.value().compareTo(MIN_ORDER) < 0) {
                if (recordSkips && wanted.compareTo(MIN_ORDER) < 0 && wanted.compareTo(CENT) >= 0) {
                    skipped.add(skip(draft, wanted, SkippedOrder.LESS_THAN_MIN_NOTIONAL, "order notional value $"
                            + wanted.setScale(MONEY, RoundingMode.DOWN).stripTrailingZeros().toPlainString()
                            + " is less than min-notional set for correspondent ($1.0)"));
                }
                if (left != null && left.compareTo(MIN_ORDER) < 0) {
                    break; // what is left cannot make a $1 order for anyone after this one either
                }
                continue;
            }
            orders.add(order);
            if (left != null) {
                left = left.subtract(order.value());
            }
        }
        return orders;
    }

    private static SkippedOrder skip(Draft draft, BigDecimal wanted, String reason, String details) {
        return new SkippedOrder(draft.symbol, draft.side, wanted.setScale(MONEY, RoundingMode.DOWN), "USD", reason, details);
    }

    private static PlannedOrder buy(String symbol, BigDecimal wanted, BigDecimal price, boolean fractional) {
        if (fractional) {
            BigDecimal notional = wanted.setScale(MONEY, RoundingMode.DOWN);
            return new PlannedOrder(symbol, OrderSide.BUY, null, notional, notional);
        }
        BigDecimal shares = wanted.divide(price, 0, RoundingMode.DOWN);
        return new PlannedOrder(symbol, OrderSide.BUY, shares, null, shares.multiply(price));
    }

    private static PlannedOrder sell(String symbol, BigDecimal wanted, BigDecimal price, boolean fractional,
            BigDecimal available, boolean everything) {
        BigDecimal qty = everything ? available
                : wanted.divide(price, fractional ? QTY : 0, RoundingMode.DOWN).min(available);
        return new PlannedOrder(symbol, OrderSide.SELL, qty, null, qty.multiply(price));
    }

    private static BigDecimal sum(List<PlannedOrder> orders) {
        return orders.stream().map(PlannedOrder::value).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private record Draft(String symbol, OrderSide side, BigDecimal wanted) {
    }

    /** Values and target values of every weight and holding, in dollars at the planning prices. */
    static final class Targets {
        final BigDecimal equity;
        /** Cash's target, and the largest deviation of any weight (cash included) from its target. */
        BigDecimal cashTarget;
        BigDecimal maxDeviation;
        private final BigDecimal cash;
        final Map<String, BigDecimal> held = new LinkedHashMap<>();
        /** What of each holding is not held for open orders: all that can be sold. */
        final Map<String, BigDecimal> available = new LinkedHashMap<>();
        /** What of each holding may not be sold today (a day trade otherwise). */
        final Map<String, BigDecimal> boughtToday = new LinkedHashMap<>();
        final Map<String, BigDecimal> prices = new LinkedHashMap<>();
        final Map<String, BigDecimal> targets = new LinkedHashMap<>();

        Targets(Book book, List<Weight> weights, Map<String, Asset> assets) {
            this(book, weights, assets, BigDecimal.ZERO);
        }

        /** Targets of the account after {@code leaving} dollars have left it. */
        Targets(Book book, List<Weight> weights, Map<String, Asset> assets, BigDecimal leaving) {
            BigDecimal total = book.cash();
            for (Holding holding : book.holdings()) {
                Asset asset = assets.get(holding.symbol());
                if (asset == null) {
                    throw new IllegalArgumentException("no price for held " + holding.symbol());
                }
                held.merge(holding.symbol(), holding.qty(), BigDecimal::add);
                available.merge(holding.symbol(), holding.available(), BigDecimal::add);
                boughtToday.merge(holding.symbol(), holding.boughtToday(), BigDecimal::add);
                prices.put(holding.symbol(), asset.price());
                total = total.add(holding.qty().multiply(asset.price()));
            }
            equity = total;
            BigDecimal base = total.subtract(leaving).max(BigDecimal.ZERO);
            BigDecimal cash = BigDecimal.ZERO;
            for (Weight weight : weights) {
                BigDecimal target = weight.percent().multiply(base).divide(HUNDRED, 12, RoundingMode.HALF_EVEN);
                if (weight.type() == WeightType.CASH) {
                    cash = cash.add(target);
                } else {
                    if (!assets.containsKey(weight.symbol())) {
                        throw new IllegalArgumentException("no price for " + weight.symbol());
                    }
                    targets.merge(weight.symbol(), target, BigDecimal::add);
                }
            }
            cashTarget = cash;
            this.cash = book.cash();
            maxDeviation = deviation();
        }

        /** The largest deviation, cash's net of {@code reserve} (above its target by no more, cash is on target). */
        BigDecimal deviation(BigDecimal reserve) {
            BigDecimal over = cash.subtract(cashTarget);
            BigDecimal deviation = over.signum() > 0 ? over.subtract(reserve).max(BigDecimal.ZERO) : over.negate();
            for (String symbol : union()) {
                deviation = deviation.max(value(symbol).subtract(target(symbol)).abs());
            }
            return deviation;
        }

        private BigDecimal deviation() {
            return deviation(BigDecimal.ZERO);
        }

        /** Trades toward {@code goals} (dollars by symbol) instead of the targets; cash's goal is what they leave. */
        void aim(Map<String, BigDecimal> goals) {
            targets.clear();
            goals.forEach((symbol, goal) -> {
                if (goal.signum() > 0) {
                    targets.put(symbol, goal);
                }
            });
            cashTarget = equity.subtract(targets.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add));
            maxDeviation = deviation();
        }

        BigDecimal value(String symbol) {
            BigDecimal qty = held.get(symbol);
            return qty == null ? BigDecimal.ZERO : qty.multiply(prices.get(symbol));
        }

        BigDecimal target(String symbol) {
            return targets.getOrDefault(symbol, BigDecimal.ZERO);
        }

        List<String> union() {
            List<String> symbols = new ArrayList<>(held.keySet());
            targets.keySet().stream().filter(s -> !held.containsKey(s)).forEach(symbols::add);
            return symbols;
        }
    }
}
