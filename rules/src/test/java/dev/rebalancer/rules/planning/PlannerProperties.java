package dev.rebalancer.rules.planning;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.contracts.WeightType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** The planning math's promises, over accounts, portfolios and prices of every shape. */
class PlannerProperties {

    private static final BigDecimal HUNDRED = new BigDecimal("100");

    /** An account, its portfolio, the assets' prices, a reserve and an amount (for invest_cash, partial_liquidation). */
    record Case(Planner.Book book, List<Weight> weights, Map<String, Asset> assets, int reserveBps, BigDecimal amount) {
    }

    @Property(tries = 1000)
    void a_full_rebalance_never_spends_beyond_the_cash_left_after_the_reserve(@ForAll("accounts") Case c) {
        Planner planner = new Planner(c.reserveBps());
        Plan plan = planner.fullRebalance(c.book(), c.weights(), c.assets());

        BigDecimal spendable = c.book().cash().add(plan.sellValue()).subtract(planner.reserve(equity(c)));
        assertThat(plan.buyValue()).isLessThanOrEqualTo(spendable.max(BigDecimal.ZERO));
        assertThat(plan.reserve()).as("the reserve the plan tells (the executor records it)")
                .isEqualByComparingTo(reserve(c));
    }

    /**
     * Under any policy — drift bands, trade costs, rebalancing to the band's edge, substitute pairs and the wash-sale
     * guard — no plan spends beyond the cash there less the reserve, nor beyond non-marginable buying power; invest_cash
     * never beyond its amount; the buys after any subset of the sells filled never beyond the cash that subset brought;
     * none buys a blocked security.
     */
    @Property(tries = 1000)
    void under_any_policy_no_plan_spends_beyond_the_cash_left_after_the_reserve(@ForAll("accounts") Case c,
            @ForAll("policies") Planner.Policy policy, @ForAll long filledSells,
            @ForAll @IntRange(min = 0, max = 100) int heldForBuys) {
        Planner planner = new Planner(c.reserveBps());
        BigDecimal reserve = planner.reserve(equity(c));

        Plan full = planner.fullRebalance(c.book(), c.weights(), c.assets(), policy);
        assertThat(full.buyValue()).isLessThanOrEqualTo(
                c.book().cash().add(full.sellValue()).subtract(reserve).max(BigDecimal.ZERO));

        Planner.Book settled = settle(c, full, filledSells, heldForBuys);
        Plan buys = planner.buysAfterSells(settled, c.weights(), c.assets(), policy);
        BigDecimal settledReserve = planner.reserve(equity(settled, c.assets()));
        assertThat(buys.sells()).isEmpty();
        assertThat(buys.buyValue()).isLessThanOrEqualTo(settled.cash().subtract(settledReserve).max(BigDecimal.ZERO));
        assertThat(buys.buyValue()).isLessThanOrEqualTo(
                settled.nonMarginableBuyingPower().subtract(settledReserve).max(BigDecimal.ZERO));

        Plan invest = planner.investCash(c.book(), c.weights(), c.assets(), c.amount(), policy);
        assertThat(invest.sells()).isEmpty();
        for (Plan plan : List.of(full, buys, invest)) {
            assertThat(plan.buys()).extracting(PlannedOrder::symbol).noneMatch(policy.washSale().noBuy()::contains);
        }
        assertThat(invest.buyValue()).isLessThanOrEqualTo(c.amount());
        assertThat(invest.buyValue()).isLessThanOrEqualTo(c.book().cash().subtract(reserve).max(BigDecimal.ZERO));
    }

    /**
     * The wash-sale guard, on every run type: no plan buys a security sold at a loss inside its window — and the
     * planner never even had to drop one (the weights it planned on gave a blocked security no more than the account
     * holds of it), so the guard is the substitute's doing, not a filter's.
     */
    @Property(tries = 1000)
    void no_plan_buys_a_security_inside_its_wash_sale_window_on_any_run_type(@ForAll("accounts") Case c,
            @ForAll("washSales") WashSaleCase ws, @ForAll long filledSells) {
        WashSale guard = ws.of(c);
        Planner planner = new Planner(c.reserveBps());
        Planner.Policy policy = new Planner.Policy(List.of(), null, guard);

        Plan full = planner.fullRebalance(c.book(), c.weights(), c.assets(), policy);
        Plan after = planner.buysAfterSells(settle(c, full, filledSells, 0), c.weights(), c.assets(), policy);
        Plan invest = planner.investCash(c.book(), c.weights(), c.assets(), c.amount(), policy);
        Plan harvest = planner.harvest(c.book(), c.assets(), ws.harvested(c), policy);

        net.jqwik.api.statistics.Statistics.collect(guard.noBuy().stream().anyMatch(symbol -> c.weights().stream()
                .anyMatch(w -> symbol.equals(w.symbol()))) ? "a weighted security blocked" : "no weight blocked");
        for (Plan plan : List.of(full, after, invest, harvest)) {
            assertThat(plan.buys()).extracting(PlannedOrder::symbol).noneMatch(guard.noBuy()::contains);
        }
        for (Plan plan : List.of(full, after, invest)) {
            assertThat(plan.skipped()).extracting(dev.rebalancer.contracts.SkippedOrder::reason)
                    .doesNotContain(dev.rebalancer.contracts.TaxLossHarvesting.WASH_SALE);
        }
    }

    /**
     * A harvest sells a security and buys its substitute for the proceeds: the pair's combined value, at the planning
     * prices, changes by no more than the rounding — a cent of notional, a share of a whole-share substitute, Alpaca's
     * $1 minimum — on an account that holds its reserve. Nothing else is traded, nothing beyond cash − reserve.
     */
    @Property(tries = 1000)
    void a_harvest_changes_the_combined_weight_of_a_pair_by_no_more_than_the_rounding(@ForAll("accounts") Case c,
            @ForAll("harvests") WashSaleCase ws) {
        WashSale guard = ws.of(c);
        Planner planner = new Planner(c.reserveBps());
        Planner.Policy policy = new Planner.Policy(List.of(), null, guard);
        BigDecimal reserve = planner.reserve(equity(c));
        net.jqwik.api.Assume.that(c.book().cash().compareTo(reserve) >= 0 && c.assets().size() >= 2);
        // One of each pair the account holds is at a loss (the planner is told; the lots are the executor's).
        java.util.Set<String> harvested = new java.util.HashSet<>();
        java.util.Set<String> held = new java.util.HashSet<>();
        c.book().holdings().forEach(h -> held.add(h.symbol()));
        guard.substitutes().forEach((symbol, substitute) -> {
            if (held.contains(symbol) && !harvested.contains(substitute)) {
                harvested.add(symbol);
            }
        });

        Plan harvest = planner.harvest(c.book(), c.assets(), harvested, policy);
        net.jqwik.api.statistics.Statistics.collect(harvest.sells().isEmpty() ? "nothing to harvest" : "harvested");

        assertThat(harvest.sells()).extracting(PlannedOrder::symbol).allMatch(harvested::contains);
        assertThat(harvest.buyValue()).isLessThanOrEqualTo(
                c.book().cash().add(harvest.sellValue()).subtract(reserve).max(BigDecimal.ZERO));
        for (PlannedOrder sell : harvest.sells()) {
            String substitute = guard.substitutes().get(sell.symbol());
            BigDecimal bought = harvest.buys().stream().filter(b -> b.symbol().equals(substitute))
                    .map(PlannedOrder::value).reduce(BigDecimal.ZERO, BigDecimal::add);
            Asset replacement = c.assets().get(substitute);
            BigDecimal rounding = new BigDecimal("0.01").max(Planner.MIN_ORDER)
                    .add(replacement.fractionable() ? BigDecimal.ZERO : replacement.price());
            assertThat(sell.value().subtract(bought)).as("%s sold for %s, %s bought for %s", sell.symbol(),
                    sell.value(), substitute, bought).isBetween(BigDecimal.ZERO, rounding);
        }
        assertThat(harvest.buys()).extracting(PlannedOrder::symbol).allMatch(symbol -> harvest.sells().stream()
                .anyMatch(sell -> symbol.equals(guard.substitutes().get(sell.symbol()))));
    }

    /** Pairs among the case's symbols (by index), securities blocked, securities at a loss. */
    record WashSaleCase(List<Integer> pairs, java.util.Set<Integer> blocked, java.util.Set<Integer> losing) {

        WashSale of(Case c) {
            Map<String, String> substitutes = new LinkedHashMap<>();
            int n = c.assets().size();
            for (int i = 0; i + 1 < pairs.size(); i += 2) {
                String a = "S" + pairs.get(i) % n;
                String b = "S" + pairs.get(i + 1) % n;
                if (!a.equals(b) && !substitutes.containsKey(a) && !substitutes.containsKey(b)) {
                    substitutes.put(a, b);
                    substitutes.put(b, a);
                }
            }
            java.util.Set<String> noBuy = new java.util.HashSet<>();
            blocked.forEach(i -> noBuy.add("S" + i % n));
            return new WashSale(substitutes, noBuy);
        }

        java.util.Set<String> harvested(Case c) {
            java.util.Set<String> symbols = new java.util.HashSet<>();
            losing.forEach(i -> symbols.add("S" + i % c.assets().size()));
            return symbols;
        }
    }

    /** Many pairs, few blocks: harvests that can happen. */
    @Provide
    Arbitrary<WashSaleCase> harvests() {
        Arbitrary<Integer> index = Arbitraries.integers().between(0, 6);
        return Combinators.combine(index.list().ofMinSize(4).ofMaxSize(10), index.set().ofMaxSize(1),
                Arbitraries.just(java.util.Set.<Integer>of())).as(WashSaleCase::new);
    }

    @Provide
    Arbitrary<WashSaleCase> washSales() {
        Arbitrary<Integer> index = Arbitraries.integers().between(0, 6);
        return Combinators.combine(index.list().ofMinSize(2).ofMaxSize(6), index.set().ofMinSize(1).ofMaxSize(3),
                        index.set().ofMinSize(1).ofMaxSize(3))
                .as(WashSaleCase::new);
    }

    @Provide
    Arbitrary<Planner.Policy> policies() {
        return Policies.policies();
    }

    /** {@code reserveBps} of the equity at the planning prices, rounded up to the cent. */
    private static BigDecimal reserve(Case c) {
        return equity(c).multiply(BigDecimal.valueOf(c.reserveBps())).divide(new BigDecimal("10000"), 2,
                java.math.RoundingMode.CEILING);
    }

    @Property(tries = 1000)
    void invest_cash_never_spends_beyond_the_amount_or_the_cash_after_the_reserve(@ForAll("accounts") Case c) {
        Planner planner = new Planner(c.reserveBps());
        Plan plan = planner.investCash(c.book(), c.weights(), c.assets(), c.amount());

        assertThat(plan.buyValue()).isLessThanOrEqualTo(c.amount());
        assertThat(plan.buyValue()).isLessThanOrEqualTo(
                c.book().cash().subtract(planner.reserve(equity(c))).max(BigDecimal.ZERO));
        assertThat(plan.reserve()).isEqualByComparingTo(reserve(c));
        assertThat(planner.buysAfterSells(c.book(), c.weights(), c.assets()).reserve())
                .isEqualByComparingTo(reserve(c));
    }

    @Property(tries = 1000)
    void no_plan_sells_more_than_is_available_to_sell(@ForAll("accounts") Case c) {
        Planner planner = new Planner(c.reserveBps());
        for (Plan plan : List.of(planner.fullRebalance(c.book(), c.weights(), c.assets()),
                planner.partialLiquidation(c.book(), c.weights(), c.assets(), c.amount()))) {
            Set<String> sold = new HashSet<>();
            for (PlannedOrder sell : plan.sells()) {
                assertThat(sold.add(sell.symbol())).as("one sell per symbol").isTrue();
                assertThat(sell.qty()).isPositive().isLessThanOrEqualTo(available(c, sell.symbol()));
            }
        }
    }

    /** Untradable or unpriced (held at its market value): never bought nor sold, whatever the plan. */
    @Property(tries = 1000)
    void an_asset_that_cannot_be_traded_is_never_ordered(@ForAll("accounts") Case c) {
        Planner planner = new Planner(c.reserveBps());
        for (Plan plan : List.of(planner.fullRebalance(c.book(), c.weights(), c.assets()),
                planner.buysAfterSells(c.book(), c.weights(), c.assets()),
                planner.investCash(c.book(), c.weights(), c.assets(), c.amount()),
                planner.partialLiquidation(c.book(), c.weights(), c.assets(), c.amount()))) {
            assertThat(concat(plan.sells(), plan.buys()))
                    .allSatisfy(order -> assertThat(c.assets().get(order.symbol()).tradable()).isTrue());
        }
    }

    /**
     * The executor's two steps: the sells go out, any of them may end unfilled (refused, canceled, expired), and the
     * buys are planned afterwards on the account as it then is. Whatever filled, the buys never spend proceeds that did
     * not arrive: never beyond the cash there less the reserve, never beyond non-marginable buying power.
     */
    @Property(tries = 1000)
    void buys_after_any_subset_of_the_sells_filled_never_exceed_the_cash_there_less_the_reserve(
            @ForAll("accounts") Case c, @ForAll long filledSells, @ForAll @IntRange(min = 0, max = 100) int heldForBuys) {
        Planner planner = new Planner(c.reserveBps());
        Plan plan = planner.fullRebalance(c.book(), c.weights(), c.assets());
        Planner.Book settled = settle(c, plan, filledSells, heldForBuys);

        Plan buys = planner.buysAfterSells(settled, c.weights(), c.assets());

        assertThat(buys.sells()).isEmpty();
        BigDecimal reserve = planner.reserve(equity(settled, c.assets()));
        assertThat(buys.buyValue()).isLessThanOrEqualTo(settled.cash().subtract(reserve).max(BigDecimal.ZERO));
        assertThat(buys.buyValue()).isLessThanOrEqualTo(
                settled.nonMarginableBuyingPower().subtract(reserve).max(BigDecimal.ZERO));
    }

    @Property(tries = 1000)
    void buys_after_the_sells_never_leave_more_drift_than_the_sells_left(@ForAll("accounts") Case c,
            @ForAll long filledSells) {
        Planner planner = new Planner(c.reserveBps());
        Planner.Book settled = settle(c, planner.fullRebalance(c.book(), c.weights(), c.assets()), filledSells, 0);
        Case after = new Case(settled, c.weights(), c.assets(), c.reserveBps(), c.amount());

        Plan buys = planner.buysAfterSells(settled, c.weights(), c.assets());

        assertThat(maxDeviation(after, buys)).isLessThanOrEqualTo(maxDeviation(after, new Plan(List.of(), List.of(), List.of())));
    }

    @Property(tries = 1000)
    void invest_cash_never_spends_beyond_non_marginable_buying_power(@ForAll("accounts") Case c,
            @ForAll @IntRange(min = 0, max = 100) int heldForBuys) {
        Planner planner = new Planner(c.reserveBps());
        Planner.Book book = settle(c, new Plan(List.of(), List.of(), List.of()), 0, heldForBuys);

        Plan plan = planner.investCash(book, c.weights(), c.assets(), c.amount());

        assertThat(plan.buyValue()).isLessThanOrEqualTo(book.nonMarginableBuyingPower()
                .subtract(planner.reserve(equity(book, c.assets()))).max(BigDecimal.ZERO));
    }

    /**
     * The account once the plan's sells have settled: those whose bit is set in {@code filled} filled at the planning
     * price, the others did not; open buys elsewhere hold {@code heldForBuys} percent of the cash.
     */
    private static Planner.Book settle(Case c, Plan plan, long filled, int heldForBuys) {
        BigDecimal cash = c.book().cash();
        Map<String, BigDecimal> qty = new LinkedHashMap<>();
        c.book().holdings().forEach(h -> qty.merge(h.symbol(), h.qty(), BigDecimal::add));
        for (int i = 0; i < plan.sells().size(); i++) {
            PlannedOrder sell = plan.sells().get(i);
            if ((filled >>> (i % 64) & 1) == 1) {
                cash = cash.add(sell.value());
                qty.merge(sell.symbol(), sell.qty().negate(), BigDecimal::add);
            }
        }
        List<Holding> holdings = new ArrayList<>();
        qty.forEach((symbol, q) -> {
            if (q.signum() > 0) {
                holdings.add(new Holding(symbol, q));
            }
        });
        BigDecimal buyingPower = cash.multiply(BigDecimal.valueOf(100 - heldForBuys))
                .divide(HUNDRED, 2, RoundingMode.DOWN);
        return new Planner.Book(cash, buyingPower, holdings);
    }

    @Property(tries = 1000)
    void a_full_rebalance_never_leaves_more_drift_than_it_found(@ForAll("accounts") Case c) {
        Plan plan = new Planner(c.reserveBps()).fullRebalance(c.book(), c.weights(), c.assets());

        assertThat(maxDeviation(c, plan)).isLessThanOrEqualTo(maxDeviation(c, new Plan(List.of(), List.of(), List.of())));
    }

    @Property(tries = 1000)
    void invest_cash_never_leaves_more_drift_than_it_found(@ForAll("accounts") Case c) {
        Plan plan = new Planner(c.reserveBps()).investCash(c.book(), c.weights(), c.assets(), c.amount());

        assertThat(maxDeviation(c, plan)).isLessThanOrEqualTo(maxDeviation(c, new Plan(List.of(), List.of(), List.of())));
    }

    @Property(tries = 1000)
    void invest_cash_only_buys_and_partial_liquidation_only_sells_up_to_its_amount(@ForAll("accounts") Case c) {
        Planner planner = new Planner(c.reserveBps());
        Plan invest = planner.investCash(c.book(), c.weights(), c.assets(), c.amount());
        Plan liquidate = planner.partialLiquidation(c.book(), c.weights(), c.assets(), c.amount());

        assertThat(invest.sells()).isEmpty();
        assertThat(invest.buys()).allSatisfy(o -> assertThat(o.side()).isEqualTo(OrderSide.BUY));
        assertThat(liquidate.buys()).isEmpty();
        assertThat(liquidate.sells()).allSatisfy(o -> assertThat(o.side()).isEqualTo(OrderSide.SELL));
        assertThat(liquidate.sellValue()).isLessThanOrEqualTo(c.amount());
    }

    @Property(tries = 1000)
    void every_order_is_at_least_a_dollar_with_alpacas_precision(@ForAll("accounts") Case c) {
        Planner planner = new Planner(c.reserveBps());
        for (Plan plan : List.of(planner.fullRebalance(c.book(), c.weights(), c.assets()),
                planner.investCash(c.book(), c.weights(), c.assets(), c.amount()),
                planner.partialLiquidation(c.book(), c.weights(), c.assets(), c.amount()))) {
            for (PlannedOrder order : concat(plan.sells(), plan.buys())) {
                assertThat(order.value()).isGreaterThanOrEqualTo(Planner.MIN_ORDER);
                if (order.notional() != null) {
                    assertThat(order.notional().stripTrailingZeros().scale()).isLessThanOrEqualTo(2);
                }
                if (order.qty() != null) {
                    int scale = c.assets().get(order.symbol()).fractionable() ? 9 : 0;
                    assertThat(order.qty().stripTrailingZeros().scale()).isLessThanOrEqualTo(scale);
                }
            }
        }
    }

    // ---- the world after a plan, at the planning prices ----------------------------------------------------------

    private static BigDecimal maxDeviation(Case c, Plan plan) {
        BigDecimal equity = equity(c);
        Map<String, BigDecimal> values = new LinkedHashMap<>();
        for (Holding holding : c.book().holdings()) {
            values.merge(holding.symbol(), holding.qty().multiply(c.assets().get(holding.symbol()).price()), BigDecimal::add);
        }
        BigDecimal cash = c.book().cash();
        for (PlannedOrder sell : plan.sells()) {
            values.merge(sell.symbol(), sell.value().negate(), BigDecimal::add);
            cash = cash.add(sell.value());
        }
        for (PlannedOrder buy : plan.buys()) {
            values.merge(buy.symbol(), buy.value(), BigDecimal::add);
            cash = cash.subtract(buy.value());
        }
        Map<String, BigDecimal> targets = new LinkedHashMap<>();
        BigDecimal cashTarget = BigDecimal.ZERO;
        for (Weight weight : c.weights()) {
            BigDecimal target = weight.percent().multiply(equity).divide(HUNDRED, 12, RoundingMode.HALF_EVEN);
            if (weight.type() == WeightType.CASH) {
                cashTarget = cashTarget.add(target);
            } else {
                targets.put(weight.symbol(), target);
                values.putIfAbsent(weight.symbol(), BigDecimal.ZERO);
            }
        }
        // Cash is judged as the drift monitor judges it (Drift): above its target by no more than the executor's
        // reserve, it is on target.
        BigDecimal reserve = equity.multiply(BigDecimal.valueOf(c.reserveBps())).divide(new BigDecimal("10000"), 2,
                RoundingMode.CEILING);
        BigDecimal judgedCash = cash.compareTo(cashTarget) > 0 ? cashTarget.max(cash.subtract(reserve)) : cash;
        BigDecimal max = judgedCash.subtract(cashTarget).abs();
        for (Map.Entry<String, BigDecimal> value : values.entrySet()) {
            max = max.max(value.getValue().subtract(targets.getOrDefault(value.getKey(), BigDecimal.ZERO)).abs());
        }
        return max;
    }

    private static BigDecimal equity(Case c) {
        return equity(c.book(), c.assets());
    }

    private static BigDecimal equity(Planner.Book book, Map<String, Asset> assets) {
        BigDecimal equity = book.cash();
        for (Holding holding : book.holdings()) {
            equity = equity.add(holding.qty().multiply(assets.get(holding.symbol()).price()));
        }
        return equity;
    }

    private static BigDecimal available(Case c, String symbol) {
        return c.book().holdings().stream().filter(h -> h.symbol().equals(symbol)).map(Holding::available)
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    private static List<PlannedOrder> concat(List<PlannedOrder> a, List<PlannedOrder> b) {
        List<PlannedOrder> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    // ---- generators ------------------------------------------------------------------------------------------

    /**
     * One asset of the universe: price, fractionable, held quantity (0 for none), its share of the targets, the part
     * of the holding not held for open orders (in quarters), and what keeps it from being traded (not tradable at
     * Alpaca, or no current price: valued at its market value then).
     */
    record Line(BigDecimal price, boolean fractionable, BigDecimal qty, int share, int availableQuarters,
            Asset.Restriction restriction) {
    }

    @Provide
    Arbitrary<Case> accounts() {
        Arbitrary<BigDecimal> price = Arbitraries.bigDecimals().between(new BigDecimal("0.50"), new BigDecimal("900"))
                .ofScale(2);
        Arbitrary<Boolean> fractionable = Arbitraries.integers().between(1, 5).map(n -> n != 5);
        Arbitrary<BigDecimal> qty = Arbitraries.oneOf(Arbitraries.just(BigDecimal.ZERO),
                Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("300")).ofScale(3),
                Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("300")).ofScale(3),
                Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("300")).ofScale(3));
        Arbitrary<Integer> share = Arbitraries.integers().between(0, 30);
        Arbitrary<Integer> availableQuarters = Arbitraries.integers().between(0, 7).map(n -> Math.min(n, 4));
        Arbitrary<Asset.Restriction> restriction = Arbitraries.integers().between(1, 8).map(n -> n == 8
                ? Asset.Restriction.NOT_TRADABLE : n == 7 ? Asset.Restriction.PRICE_UNKNOWN : Asset.Restriction.NONE);
        Arbitrary<Line> line = Combinators.combine(price, fractionable, qty, share, availableQuarters, restriction)
                .as(Line::new);
        Arbitrary<List<Line>> universe = line.list().ofMinSize(1).ofMaxSize(7);
        Arbitrary<Integer> cashShare = Arbitraries.integers().between(0, 20);
        Arbitrary<BigDecimal> cash = Arbitraries.bigDecimals().between(BigDecimal.ZERO, new BigDecimal("30000")).ofScale(2);
        Arbitrary<Integer> reserve = Arbitraries.integers().between(0, 100);
        Arbitrary<BigDecimal> amount = Arbitraries.bigDecimals().between(new BigDecimal("1"), new BigDecimal("20000")).ofScale(2);
        return Combinators.combine(universe, cashShare, cash, reserve, amount).as(PlannerProperties::build);
    }

    private static Case build(List<Line> universe, int cashShare, BigDecimal cash, int reserve, BigDecimal amount) {
        Map<String, Asset> assets = new LinkedHashMap<>();
        List<Holding> holdings = new ArrayList<>();
        int total = cashShare;
        for (Line line : universe) {
            total += line.share();
        }
        if (total == 0) {
            total = 1;
            cashShare = 1;
        }
        List<Weight> weights = new ArrayList<>();
        BigDecimal assigned = BigDecimal.ZERO;
        for (int i = 0; i < universe.size(); i++) {
            Line line = universe.get(i);
            String symbol = "S" + i;
            assets.put(symbol, new Asset(symbol, line.price(), line.fractionable(), line.restriction()));
            BigDecimal qty = line.fractionable() ? line.qty() : line.qty().setScale(0, RoundingMode.DOWN);
            if (qty.signum() > 0) {
                BigDecimal available = qty.multiply(BigDecimal.valueOf(line.availableQuarters()))
                        .divide(BigDecimal.valueOf(4), line.fractionable() ? 9 : 0, RoundingMode.DOWN);
                holdings.add(new Holding(symbol, qty, available));
            }
            if (line.share() > 0) {
                BigDecimal percent = HUNDRED.multiply(BigDecimal.valueOf(line.share()))
                        .divide(BigDecimal.valueOf(total), 2, RoundingMode.DOWN);
                if (percent.signum() > 0) {
                    weights.add(new Weight(WeightType.ASSET, symbol, percent));
                    assigned = assigned.add(percent);
                }
            }
        }
        BigDecimal cashPercent = HUNDRED.subtract(assigned);
        if (cashPercent.signum() > 0) {
            weights.add(new Weight(WeightType.CASH, null, cashPercent));
        }
        return new Case(new Planner.Book(cash, holdings), weights, assets, reserve, amount);
    }
}
