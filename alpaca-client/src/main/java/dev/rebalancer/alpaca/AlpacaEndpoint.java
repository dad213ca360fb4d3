package dev.rebalancer.alpaca;

import java.net.URI;
import java.util.Objects;

/**
 * Where one Alpaca account is reached and the keys it is reached with. {@link #toString()} never shows the secret.
 */
public record AlpacaEndpoint(URI baseUrl, String keyId, String secretKey) {

    public static final URI PAPER = URI.create("https://paper-api.alpaca.markets");
    public static final URI LIVE = URI.create("https://api.alpaca.markets");
    /** Alpaca's market data API, the same for paper and live keys. */
    public static final URI DATA = URI.create("https://data.alpaca.markets");

    public AlpacaEndpoint {
        Objects.requireNonNull(baseUrl, "baseUrl");
        if (keyId == null || keyId.isBlank()) {
            throw new IllegalArgumentException("Alpaca API key id is missing");
        }
        if (secretKey == null || secretKey.isBlank()) {
            throw new IllegalArgumentException("Alpaca API secret key is missing");
        }
        String path = baseUrl.getPath();
        if (path != null && path.endsWith("/")) {
            baseUrl = URI.create(baseUrl.toString().replaceAll("/+$", ""));
        }
    }

    /** Whether orders sent here move real money. */
    public boolean isLive() {
        return LIVE.getHost().equalsIgnoreCase(baseUrl.getHost());
    }

    /**
     * Where market data (bars) is asked for: Alpaca's data API for Alpaca's hosts, the same host for any other (the
     * simulator serves both).
     */
    public URI dataUrl() {
        String host = baseUrl.getHost();
        return host != null && (host.equals(PAPER.getHost()) || host.equals(LIVE.getHost())) ? DATA : baseUrl;
    }

    /** The {@code trade_updates} WebSocket of the same host: {@code wss://<host>/stream}. */
    public URI streamUrl() {
        String scheme = "https".equalsIgnoreCase(baseUrl.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + "://" + baseUrl.getRawAuthority() + "/stream");
    }

    @Override
    public String toString() {
        return "AlpacaEndpoint[" + baseUrl + ", key " + keyId + ", secret ****]";
    }
}
