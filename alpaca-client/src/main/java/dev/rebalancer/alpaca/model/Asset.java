package dev.rebalancer.alpaca.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code GET /v2/assets/{symbol}}. Only fractionable and tradable US equities can be portfolio weights. */
public record Asset(
        String id,
        @JsonProperty("class") String assetClass,
        String exchange,
        String symbol,
        String name,
        String status,
        boolean tradable,
        boolean marginable,
        boolean shortable,
        boolean easyToBorrow,
        boolean fractionable) {
}
