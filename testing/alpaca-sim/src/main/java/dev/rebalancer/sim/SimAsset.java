package dev.rebalancer.sim;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** An asset the simulator trades, with its current price. */
final class SimAsset {

    final String id;
    final String symbol;
    final String exchange;
    BigDecimal price;
    boolean fractionable = true;
    boolean tradable = true;
    /** Alpaca's asset status: {@code active} or {@code inactive} (delisted). */
    String status = "active";
    /** Whether Alpaca has a current quote: without one, positions show no {@code current_price}. */
    boolean quoted = true;

    SimAsset(String symbol, BigDecimal price) {
        this.id = UUID.nameUUIDFromBytes(("asset:" + symbol).getBytes(StandardCharsets.UTF_8)).toString();
        this.symbol = symbol;
        this.exchange = "ARCA";
        this.price = price;
    }
}
