package dev.rebalancer.portfolio.domain;

import dev.rebalancer.contracts.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The daily balance check's arithmetic: what the account should be worth at today's close, from yesterday's
 * end-of-day positions and cash, the fills of the rebalancer's own orders since, and the cash flows Alpaca recorded
 * (deposits, withdrawals, journals); against what Alpaca says it is worth. Every position whose quantity is not what
 * yesterday and our fills make it is named with the part of the difference it explains (a 2-for-1 split doubles a
 * quantity and halves its price: the prediction at today's price is short by half the position); what no position
 * explains is in cash (a fee, a dividend, an unrecorded movement).
 */
public final class BalanceReckoning {

    /** A position at the close: quantity and that day's closing price. */
    public record Holding(String symbol, BigDecimal qty, BigDecimal price) {
    }

    /** An account at a close. */
    public record EndOfDay(BigDecimal equity, BigDecimal cash, List<Holding> holdings) {
    }

    /** A fill since yesterday's close; {@code ours}: of an order the rebalancer placed. */
    public record Fill(String symbol, String side, BigDecimal qty, BigDecimal price, String clientOrderId,
            boolean ours) {
        BigDecimal signedQty() {
            return "sell".equals(side) ? qty.negate() : qty;
        }
    }

    /** What the check found: predicted and actual equity, their difference, and what explains it. */
    public record Result(BigDecimal predictedEquity, BigDecimal equity, BigDecimal difference, boolean beyondTolerance,
            List<String> positions, List<String> unexpectedFills, String cash) {
    }

    private static final BigDecimal SPLIT_TOLERANCE = new BigDecimal("0.000001");

    private BalanceReckoning() {
    }

    public static Result reckon(EndOfDay yesterday, EndOfDay today, List<Fill> fills, BigDecimal cashFlows,
            BigDecimal tolerance) {
        Map<String, BigDecimal> before = quantities(yesterday);
        Map<String, BigDecimal> now = quantities(today);
        Map<String, BigDecimal> price = new TreeMap<>();
        yesterday.holdings().forEach(h -> price.put(h.symbol(), h.price()));
        today.holdings().forEach(h -> price.put(h.symbol(), h.price())); // today's close where there is one
        Map<String, BigDecimal> traded = new TreeMap<>();
        BigDecimal predictedCash = yesterday.cash().add(cashFlows);
        List<String> unexpected = new ArrayList<>();
        for (Fill fill : fills) {
            if (fill.ours()) {
                traded.merge(fill.symbol(), fill.signedQty(), BigDecimal::add);
                predictedCash = predictedCash.subtract(fill.signedQty().multiply(fill.price()));
                price.putIfAbsent(fill.symbol(), fill.price());
            } else {
                unexpected.add(fill.side() + " " + qty(fill.qty()) + " " + fill.symbol() + " at "
                        + Money.dollars(fill.price()) + " (order "
                        + (fill.clientOrderId() == null ? "?" : fill.clientOrderId()) + ", not placed by the rebalancer)");
            }
        }
        Set<String> symbols = new TreeSet<>();
        symbols.addAll(before.keySet());
        symbols.addAll(now.keySet());
        symbols.addAll(traded.keySet());
        BigDecimal predicted = predictedCash;
        List<String> positions = new ArrayList<>();
        for (String symbol : symbols) {
            BigDecimal was = before.getOrDefault(symbol, BigDecimal.ZERO);
            BigDecimal fillsQty = traded.getOrDefault(symbol, BigDecimal.ZERO);
            BigDecimal expected = was.add(fillsQty);
            BigDecimal held = now.getOrDefault(symbol, BigDecimal.ZERO);
            BigDecimal close = price.getOrDefault(symbol, BigDecimal.ZERO);
            predicted = predicted.add(expected.multiply(close));
            if (expected.compareTo(held) != 0) {
                BigDecimal explains = held.subtract(expected).multiply(close).setScale(2, RoundingMode.HALF_EVEN);
                positions.add(symbol + ": " + qty(held) + " held, " + qty(expected) + " expected (" + qty(was)
                        + " yesterday" + (fillsQty.signum() == 0 ? "" : ", " + signed(fillsQty) + " filled") + ") — "
                        + why(expected, held) + "; explains " + Money.signed(explains));
            }
        }
        predicted = predicted.setScale(2, RoundingMode.HALF_EVEN);
        BigDecimal equity = today.equity().setScale(2, RoundingMode.HALF_EVEN);
        BigDecimal difference = equity.subtract(predicted);
        BigDecimal cashDifference = today.cash().subtract(predictedCash).setScale(2, RoundingMode.HALF_EVEN);
        String cash = cashDifference.abs().compareTo(tolerance) <= 0 ? null
                : "cash: " + Money.dollars(today.cash()) + " held, " + Money.dollars(predictedCash) + " expected — "
                        + (unexpected.isEmpty() ? "a fee, a dividend or a movement Alpaca did not record as one"
                        : "the fills not placed by the rebalancer, or a fee") + "; explains "
                        + Money.signed(cashDifference);
        return new Result(predicted, equity, difference, difference.abs().compareTo(tolerance) > 0, positions,
                unexpected, cash);
    }

    private static String why(BigDecimal expected, BigDecimal held) {
        if (held.signum() == 0) {
            return "the position is missing";
        }
        if (expected.signum() == 0) {
            return "a position no fill of the rebalancer's made";
        }
        BigDecimal ratio = held.divide(expected, 12, RoundingMode.HALF_EVEN);
        BigDecimal whole = ratio.setScale(0, RoundingMode.HALF_EVEN);
        if (whole.compareTo(BigDecimal.ONE) > 0 && ratio.subtract(whole).abs().compareTo(SPLIT_TOLERANCE) <= 0) {
            return "×" + whole.toPlainString() + ": a " + whole.toPlainString() + "-for-1 split?";
        }
        BigDecimal inverse = expected.divide(held, 12, RoundingMode.HALF_EVEN);
        BigDecimal wholeInverse = inverse.setScale(0, RoundingMode.HALF_EVEN);
        if (wholeInverse.compareTo(BigDecimal.ONE) > 0
                && inverse.subtract(wholeInverse).abs().compareTo(SPLIT_TOLERANCE) <= 0) {
            return "÷" + wholeInverse.toPlainString() + ": a 1-for-" + wholeInverse.toPlainString()
                    + " reverse split?";
        }
        return "a change no fill of the rebalancer's explains";
    }

    private static Map<String, BigDecimal> quantities(EndOfDay day) {
        Map<String, BigDecimal> quantities = new TreeMap<>();
        day.holdings().forEach(h -> quantities.merge(h.symbol(), h.qty(), BigDecimal::add));
        return quantities;
    }

    static String qty(BigDecimal qty) {
        return qty.stripTrailingZeros().toPlainString();
    }

    private static String signed(BigDecimal qty) {
        return (qty.signum() > 0 ? "+" : "") + qty(qty);
    }

}
