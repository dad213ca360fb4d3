package dev.rebalancer.rules.planning;

import dev.rebalancer.contracts.Money;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunPhase;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.SkippedOrder;
import dev.rebalancer.contracts.TaxLossHarvesting;
import dev.rebalancer.contracts.Weight;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a run sends, phase by phase: the executor's decision, in one place for the executor and the backtest alike. A
 * run's sells go first; its buys are planned only once the sells have settled, on the cash the account then holds,
 * never on proceeds still to come — a full rebalance's by its weights, a harvest's as each sold security's substitute
 * for what its sell brought; a partial liquidation ends with its sells. With nothing to sell the buys go at once, a
 * full rebalance's planned on the cash there is, as after sells. With tax-loss harvesting on, every run type plans with
 * the substitute pairs and the wash-sale guard of the account's lots. Plain arithmetic, no I/O.
 */
public final class RunPlans {

    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    /**
     * The account as a plan sees it.
     *
     * @param book     cash, buying power and holdings
     * @param assets   every security that may be planned, priced and flagged
     * @param weights  the request's weights that can be planned
     * @param prices   the held positions' prices now, where known (whether a loss is to be harvested)
     * @param lots     its tax lots (none without tax-loss harvesting)
     * @param unpriced what cannot be planned for want of a price: skipped with the buys
     */
    public record Account(Planner.Book book, Map<String, Asset> assets, List<Weight> weights,
            Map<String, BigDecimal> prices, Lots lots, List<SkippedOrder> unpriced) {

        public Account {
            unpriced = List.copyOf(unpriced);
        }
    }

    /** One phase's orders: what to send, what was left out and why, and the cash its buys keep back (sells: null). */
    public record Phase(RunPhase phase, List<PlannedOrder> orders, List<SkippedOrder> skipped, BigDecimal reserve) {
    }

    /** What a harvest did, in words, and the loss it realised. */
    public record Harvested(String words, BigDecimal loss) {
    }

    private final Planner planner;

    public RunPlans(int reserveBasisPoints) {
        this.planner = new Planner(reserveBasisPoints);
    }

    /** The request's whole plan for {@code amount} (invest_cash, partial_liquidation) at the account as read. */
    public Plan plan(RebalanceRequest request, BigDecimal amount, Account account, Instant now) {
        Planner.Policy policy = policy(request, account.lots(), now);
        Plan plan = switch (request.type()) {
            case FULL_REBALANCE -> planner.fullRebalance(account.book(), account.weights(), account.assets(), policy);
            case INVEST_CASH -> planner.investCash(account.book(), account.weights(), account.assets(), amount,
                    policy);
            case PARTIAL_LIQUIDATION -> planner.partialLiquidation(account.book(), account.weights(),
                    account.assets(), amount, policy);
            case TAX_LOSS_HARVEST -> planner.harvest(account.book(), account.assets(),
                    harvestable(request, account, now), policy);
        };
        return withUnpriced(plan, account);
    }

    /** The phase a run starts with, from its {@code plan}: its sells; with none, its buys. */
    public Phase first(RebalanceRequest request, Plan plan, Account account, Instant now) {
        if (!plan.sells().isEmpty()) {
            return new Phase(RunPhase.SELLS, plan.sells(), onlySide(plan.skipped(), OrderSide.SELL), null);
        }
        if (request.type() == RunType.FULL_REBALANCE) {
            Phase buys = afterSells(request, account, Map.of(), now).orElseThrow();
            List<SkippedOrder> skipped = new ArrayList<>(onlySide(plan.skipped(), OrderSide.SELL));
            skipped.addAll(buys.skipped());
            return new Phase(RunPhase.BUYS, buys.orders(), skipped, buys.reserve());
        }
        return new Phase(RunPhase.BUYS, plan.buys(), plan.skipped(), plan.reserve());
    }

    /**
     * Once the sells have settled, at the account as it is now: the buys, or none when the run ends with its sells.
     *
     * @param soldFor what each security's sells brought (filled quantity at the fill price): a harvest buys each one's
     *                substitute for it
     */
    public Optional<Phase> afterSells(RebalanceRequest request, Account account, Map<String, BigDecimal> soldFor,
            Instant now) {
        Planner.Policy policy = policy(request, account.lots(), now);
        Plan buys;
        switch (request.type()) {
            case FULL_REBALANCE -> buys = planner.buysAfterSells(account.book(), account.weights(), account.assets(),
                    policy);
            case TAX_LOSS_HARVEST -> {
                Map<String, String> substitutes = request.strategies().taxLossHarvesting().substitutes();
                Map<String, BigDecimal> replacing = new LinkedHashMap<>();
                soldFor.forEach((symbol, value) -> {
                    if (substitutes.containsKey(symbol)) {
                        replacing.merge(substitutes.get(symbol), value, BigDecimal::add);
                    }
                });
                buys = planner.harvestBuys(account.book(), account.assets(), replacing, policy);
            }
            default -> {
                return Optional.empty(); // see buysFollowSells
            }
        }
        buys = withUnpriced(buys, account);
        return Optional.of(new Phase(RunPhase.BUYS, buys.buys(), onlySide(buys.skipped(), OrderSide.BUY),
                buys.reserve()));
    }

    /** Whether a run of this type buys once its sells have settled (a partial liquidation ends with them). */
    public static boolean buysFollowSells(RunType type) {
        return type == RunType.FULL_REBALANCE || type == RunType.TAX_LOSS_HARVEST;
    }

    /**
     * A phase planned again from the account as it is now (its unsent orders dropped after an interruption):
     * {@code amount} is what is left of the request's amount.
     */
    public Phase again(RebalanceRequest request, RunPhase phase, BigDecimal amount, Account account,
            Map<String, BigDecimal> soldFor, Instant now) {
        if (phase == RunPhase.BUYS) {
            Optional<Phase> buys = afterSells(request, account, soldFor, now);
            if (buys.isPresent()) {
                return buys.get();
            }
        }
        Plan plan = plan(request, amount, account, now);
        return phase == RunPhase.SELLS
                ? new Phase(RunPhase.SELLS, plan.sells(), onlySide(plan.skipped(), OrderSide.SELL), null)
                : new Phase(RunPhase.BUYS, plan.buys(), onlySide(plan.skipped(), OrderSide.BUY), plan.reserve());
    }

    /**
     * The request's policy: its portfolio's bands and trade costs, and, with tax-loss harvesting on, its substitute
     * pairs and the securities the wash-sale guard keeps from being bought.
     */
    public static Planner.Policy policy(RebalanceRequest request, Lots lots, Instant now) {
        TaxLossHarvesting harvesting = request.strategies().taxLossHarvesting();
        WashSale washSale = harvesting == null ? WashSale.NONE
                : new WashSale(harvesting.substitutes(), lots.noBuy(now));
        return new Planner.Policy(request.rebalanceConditions(), request.strategies().tradeCosts(), washSale);
    }

    /** The positions to harvest now: a substitute to take their place, a loss past the threshold, none bought lately. */
    public static Set<String> harvestable(RebalanceRequest request, Account account, Instant now) {
        TaxLossHarvesting harvesting = request.strategies().taxLossHarvesting();
        Set<String> harvest = new TreeSet<>();
        if (harvesting == null) {
            return harvest;
        }
        account.prices().forEach((symbol, price) -> {
            if (harvesting.substitutes().containsKey(symbol) && price != null && account.lots().harvestable(symbol,
                    price, harvesting.lossPercent(), harvesting.minLossUsd(), now)) {
                harvest.add(symbol);
            }
        });
        return harvest;
    }

    /**
     * What a harvest did, in words: each security sold, its realised loss first in, first out, the substitute bought,
     * and until when the security may not be bought ("sold VOO at a $412.00 loss, bought VTI; VOO blocked until
     * 2027-01-14"); and the loss it realised in all.
     *
     * @param sold   the ids of the harvest's filled sells, as the lots know them
     * @param bought the securities its buys filled
     */
    public static Harvested harvested(RebalanceRequest request, Lots lots, Set<String> sold, Set<String> bought,
            Instant now) {
        Map<String, String> substitutes = request.strategies().taxLossHarvesting().substitutes();
        List<String> words = new ArrayList<>();
        BigDecimal loss = BigDecimal.ZERO;
        for (Lots.Sale sale : lots.sales()) {
            if (!sold.contains(sale.fillId())) {
                continue;
            }
            loss = loss.add(sale.loss());
            String substitute = substitutes.get(sale.symbol());
            words.add("sold " + sale.symbol() + (sale.loss().signum() > 0 ? " at a " + Money.dollars(sale.loss())
                    + " loss" : " at no loss") + (bought.contains(substitute) ? ", bought " + substitute : "")
                    + lots.noBuyUntil(sale.symbol(), now).map(until -> "; " + sale.symbol() + " blocked until "
                            + until.atZone(NEW_YORK).toLocalDate()).orElse(""));
        }
        return new Harvested(words.isEmpty()
                ? "nothing to harvest: no position past its loss threshold and bought over 30 days ago"
                : String.join("; ", words), loss.setScale(2, RoundingMode.HALF_EVEN));
    }

    private static Plan withUnpriced(Plan plan, Account account) {
        if (account.unpriced().isEmpty()) {
            return plan;
        }
        List<SkippedOrder> skipped = new ArrayList<>(plan.skipped());
        skipped.addAll(account.unpriced());
        return new Plan(plan.sells(), plan.buys(), skipped, plan.reserve());
    }

    private static List<SkippedOrder> onlySide(List<SkippedOrder> skipped, OrderSide side) {
        return skipped.stream().filter(s -> s.side() == side).toList();
    }
}
