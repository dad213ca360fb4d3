package dev.rebalancer.rules.planning;

import java.math.BigDecimal;

/**
 * An asset a plan may trade: the price the plan is made at, whether Alpaca trades it in fractions, what, if anything,
 * keeps it from being ordered at all (it is then held and valued as it is), and Alpaca's asset class (its trading cost
 * depends on it).
 */
public record Asset(String symbol, BigDecimal price, boolean fractionable, Restriction restriction, String assetClass) {

    /** Why an asset is held as it is and never ordered; the reason is the skipped order's. */
    public enum Restriction {
        NONE(null, null),
        /** Alpaca says the asset is not tradable (delisted, halted). */
        NOT_TRADABLE("ASSET_NOT_TRADABLE", " is not tradable at Alpaca: it is held as it is and not ordered"),
        /** Alpaca gave no current price: valued at its market value, but no order can be sized on it. */
        PRICE_UNKNOWN("PRICE_UNKNOWN", " has no current price at Alpaca: it is held at its market value and not ordered");

        public final String reason;
        final String details;

        Restriction(String reason, String details) {
            this.reason = reason;
            this.details = details;
        }
    }

    /** Alpaca's asset class of US stocks and ETFs, the one portfolios hold. */
    public static final String US_EQUITY = "us_equity";

    public Asset {
        assetClass = assetClass == null ? US_EQUITY : assetClass;
    }

    public Asset(String symbol, BigDecimal price, boolean fractionable, Restriction restriction) {
        this(symbol, price, fractionable, restriction, US_EQUITY);
    }

    public Asset(String symbol, BigDecimal price, boolean fractionable) {
        this(symbol, price, fractionable, Restriction.NONE);
    }

    public boolean tradable() {
        return restriction == Restriction.NONE;
    }
}
