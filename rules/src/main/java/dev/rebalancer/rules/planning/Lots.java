package dev.rebalancer.rules.planning;

import dev.rebalancer.contracts.OrderSide;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An account's tax lots, first in, first out, from its ledger of fills: each buy opens a lot, each sell closes the
 * oldest lots first and realises the difference between its proceeds and their cost (Alpaca's {@code avg_entry_price}
 * is an average, not the lot-level figure a loss is taxed on). What the account held before its ledger begins comes
 * as buys of the ledger's own (the executor's opening lots). From the lots: the wash-sale
 * windows (a security sold at a loss may not be bought for 30 days; one bought in the last 30 days may not be
 * harvested) and each position's unrealised loss. Plain arithmetic, no I/O.
 */
public final class Lots {

    /** The wash-sale window. */
    public static final Duration WINDOW = Duration.ofDays(dev.rebalancer.contracts.TaxLossHarvesting.WASH_SALE_DAYS);

    /** One fill of the ledger: {@code id} names it (an order's, or an activity's). */
    public record Fill(String id, String symbol, OrderSide side, BigDecimal qty, BigDecimal price, Instant at) {
    }

    /** A lot still open: shares bought at a price, when. */
    public record Lot(BigDecimal qty, BigDecimal price, Instant at) {
    }

    /** A sell and the lots it closed: what it brought and what they cost. */
    public record Sale(String fillId, String symbol, Instant at, BigDecimal qty, BigDecimal proceeds, BigDecimal cost) {
        /** The realised loss, positive; zero for a gain. */
        public BigDecimal loss() {
            return cost.subtract(proceeds).max(BigDecimal.ZERO);
        }
    }

    private final Map<String, Deque<Lot>> open = new LinkedHashMap<>();
    private final List<Sale> sales = new ArrayList<>();
    private final Map<String, Instant> lastBuy = new LinkedHashMap<>();

    private Lots() {
    }

    /** The lots of {@code fills} (any order; taken by time). */
    public static Lots of(List<Fill> fills) {
        Lots lots = new Lots();
        List<Fill> inTime = new ArrayList<>(fills);
        inTime.sort(Comparator.comparing(Fill::at).thenComparing(Fill::id));
        for (Fill fill : inTime) {
            if (fill.qty().signum() <= 0) {
                continue;
            }
            Deque<Lot> lotsOf = lots.open.computeIfAbsent(fill.symbol(), s -> new ArrayDeque<>());
            if (fill.side() == OrderSide.BUY) {
                lotsOf.add(new Lot(fill.qty(), fill.price(), fill.at()));
                lots.lastBuy.merge(fill.symbol(), fill.at(), (a, b) -> a.isAfter(b) ? a : b);
                continue;
            }
            BigDecimal left = fill.qty();
            BigDecimal cost = BigDecimal.ZERO;
            while (left.signum() > 0 && !lotsOf.isEmpty()) {
                Lot oldest = lotsOf.removeFirst();
                BigDecimal taken = oldest.qty().min(left);
                cost = cost.add(taken.multiply(oldest.price()));
                left = left.subtract(taken);
                if (oldest.qty().compareTo(taken) > 0) {
                    lotsOf.addFirst(new Lot(oldest.qty().subtract(taken), oldest.price(), oldest.at()));
                }
            }
            // Shares beyond every known lot have no known cost: they realise nothing either way.
            BigDecimal proceeds = fill.qty().subtract(left).multiply(fill.price());
            lots.sales.add(new Sale(fill.id(), fill.symbol(), fill.at(), fill.qty().subtract(left),
                    proceeds.setScale(2, RoundingMode.HALF_EVEN), cost.setScale(2, RoundingMode.HALF_EVEN)));
        }
        return lots;
    }

    /** Every sell, in time. */
    public List<Sale> sales() {
        return List.copyOf(sales);
    }

    /** The open lots of a security, oldest first. */
    public List<Lot> open(String symbol) {
        return List.copyOf(open.getOrDefault(symbol, new ArrayDeque<>()));
    }

    /** Until when a security sold at a loss may not be bought: 30 days after its last sale at a loss, if within. */
    public Optional<Instant> noBuyUntil(String symbol, Instant now) {
        return sales.stream().filter(s -> s.symbol().equals(symbol) && s.loss().signum() > 0)
                .map(s -> s.at().plus(WINDOW)).filter(until -> until.isAfter(now)).max(Instant::compareTo);
    }

    /** The securities sold at a loss in the last 30 days: not to be bought. */
    public java.util.Set<String> noBuy(Instant now) {
        java.util.Set<String> blocked = new java.util.TreeSet<>();
        sales.forEach(s -> {
            if (noBuyUntil(s.symbol(), now).isPresent()) {
                blocked.add(s.symbol());
            }
        });
        return blocked;
    }

    /** Whether the security was bought in the last 30 days (then it is not harvested: the loss would be washed). */
    public boolean boughtWithin(String symbol, Instant now) {
        Instant last = lastBuy.get(symbol);
        return last != null && last.plus(WINDOW).isAfter(now);
    }

    /** What the open lots cost. */
    public BigDecimal cost(String symbol) {
        return open(symbol).stream().map(l -> l.qty().multiply(l.price())).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** The loss the open lots stand at, at {@code price} (positive; zero when they gained). */
    public BigDecimal unrealisedLoss(String symbol, BigDecimal price) {
        BigDecimal qty = open(symbol).stream().map(Lot::qty).reduce(BigDecimal.ZERO, BigDecimal::add);
        return cost(symbol).subtract(qty.multiply(price)).max(BigDecimal.ZERO).setScale(2, RoundingMode.HALF_EVEN);
    }

    /**
     * Whether a position is to be harvested: its loss at {@code price} is at least {@code lossPercent} of what its
     * lots cost and at least {@code minLossUsd}, and it was not bought in the last 30 days.
     */
    public boolean harvestable(String symbol, BigDecimal price, BigDecimal lossPercent, BigDecimal minLossUsd,
            Instant now) {
        BigDecimal loss = unrealisedLoss(symbol, price);
        BigDecimal cost = cost(symbol);
        return loss.signum() > 0 && !boughtWithin(symbol, now) && loss.compareTo(minLossUsd) >= 0
                && loss.multiply(new BigDecimal("100")).compareTo(cost.multiply(lossPercent)) >= 0;
    }
}
