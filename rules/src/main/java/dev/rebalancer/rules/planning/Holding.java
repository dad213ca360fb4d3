package dev.rebalancer.rules.planning;

import java.math.BigDecimal;

/**
 * What the account holds of one asset: {@code qty} counts toward its weight; {@code available} (Alpaca's
 * {@code qty_available}: not held for open orders) is all that can be sold; of that, {@code boughtToday} may not be sold
 * today where selling it would be a day trade (a margin account under $25,000).
 */
public record Holding(String symbol, BigDecimal qty, BigDecimal available, BigDecimal boughtToday) {

    public Holding {
        if (available.compareTo(qty) > 0) {
            available = qty;
        }
        if (available.signum() < 0) {
            available = BigDecimal.ZERO;
        }
        if (boughtToday.signum() < 0) {
            boughtToday = BigDecimal.ZERO;
        }
    }

    /** A holding none of which may not be sold today. */
    public Holding(String symbol, BigDecimal qty, BigDecimal available) {
        this(symbol, qty, available, BigDecimal.ZERO);
    }

    /** A holding nothing of which is held for an open order. */
    public Holding(String symbol, BigDecimal qty) {
        this(symbol, qty, qty);
    }
}
