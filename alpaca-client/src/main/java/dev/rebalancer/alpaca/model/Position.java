package dev.rebalancer.alpaca.model;

import java.math.BigDecimal;

/** {@code GET /v2/positions}: one open position. */
public record Position(
        String assetId,
        String symbol,
        String exchange,
        String assetClass,
        BigDecimal qty,
        BigDecimal qtyAvailable,
        String side,
        BigDecimal avgEntryPrice,
        BigDecimal marketValue,
        BigDecimal costBasis,
        BigDecimal currentPrice,
        BigDecimal unrealizedPl,
        Boolean assetMarginable) {
}
