package dev.rebalancer.executor.domain;

import java.math.BigDecimal;

/**
 * What the account holds of one asset: {@code qty} counts toward its weight, {@code available} (Alpaca's
 * {@code qty_available}: not held for open orders) is all that can be sold.
 */
public record Holding(String symbol, BigDecimal qty, BigDecimal available) {

    public Holding {
        if (available.compareTo(qty) > 0) {
            available = qty;
        }
        if (available.signum() < 0) {
            available = BigDecimal.ZERO;
        }
    }

    /** A holding nothing of which is held for an open order. */
    public Holding(String symbol, BigDecimal qty) {
        this(symbol, qty, qty);
    }
}
