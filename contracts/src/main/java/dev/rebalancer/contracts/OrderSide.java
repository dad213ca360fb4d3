package dev.rebalancer.contracts;

import com.fasterxml.jackson.annotation.JsonProperty;

/** An order's side as Alpaca spells it. */
public enum OrderSide {
    @JsonProperty("buy")
    BUY,
    @JsonProperty("sell")
    SELL,
    @JsonProperty("sell_short")
    SELL_SHORT;
}
