package dev.rebalancer.contracts;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;

/** Dollars as people read them in messages and alerts: {@code $1,234.56}, {@code -$7.00}; cents rounded half even. */
public final class Money {

    private Money() {
    }

    public static String dollars(BigDecimal amount) {
        DecimalFormat format = new DecimalFormat("#,##0.00", DecimalFormatSymbols.getInstance(Locale.US));
        format.setRoundingMode(RoundingMode.HALF_EVEN);
        BigDecimal cents = amount.setScale(2, RoundingMode.HALF_EVEN);
        return (cents.signum() < 0 ? "-$" : "$") + format.format(cents.abs());
    }

    /** A difference: {@code +$2,500.00}, {@code -$7.00}, {@code $0.00}. */
    public static String signed(BigDecimal amount) {
        return (amount.setScale(2, RoundingMode.HALF_EVEN).signum() > 0 ? "+" : "") + dollars(amount);
    }
}
