package dev.rebalancer.alpaca;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * A call to Alpaca that did not succeed, classified into the cases the system treats differently. Alpaca reuses codes
 * (40310000 means insufficient buying power, insufficient quantity, a wash trade or a suspension), so the class is
 * chosen by status <em>and</em> message, as ccxt and Alpaca's own guidance do.
 */
public class AlpacaException extends RuntimeException {

    private final int status;
    private final Integer code;
    private final String alpacaMessage;

    AlpacaException(int status, Integer code, String alpacaMessage) {
        super(describe(status, code, alpacaMessage));
        this.status = status;
        this.code = code;
        this.alpacaMessage = alpacaMessage;
    }

    AlpacaException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
        this.code = null;
        this.alpacaMessage = message;
    }

    /** The HTTP status, or 0 when no answer came. */
    public int status() {
        return status;
    }

    /** Alpaca's error code ({@code 40310000}, ...), when the body had one. */
    public Optional<Integer> code() {
        return Optional.ofNullable(code);
    }

    /** Alpaca's own words, as a person should read them. */
    public String alpacaMessage() {
        return alpacaMessage;
    }

    /**
     * Whether Alpaca may have acted on the request although it did not say so: a server error or no answer. After such
     * an outcome a submitted order must be looked up by its client order id, never sent again blind.
     */
    public boolean outcomeUnknown() {
        return false;
    }

    /** Classifies an error answer from its status, body and {@code X-RateLimit-Reset} header (unix seconds). */
    static AlpacaException classify(int status, JsonNode body, String rateLimitReset) {
        Integer code = body != null && body.path("code").canConvertToInt() ? body.path("code").asInt() : null;
        String message = body != null && body.hasNonNull("message") ? body.get("message").asText() : "HTTP " + status;
        String text = message.toLowerCase(Locale.ROOT);
        if (status == 401) {
            return new Unauthorized(status, code, message);
        }
        if (status == 429) {
            return new RateLimited(status, code, message, parseReset(rateLimitReset));
        }
        if (status >= 500) {
            return new ServerError(status, code, message);
        }
        if (text.contains("wash trade")) {
            return new WashTrade(status, code, message);
        }
        if (text.contains("client_order_id must be unique")) {
            return new DuplicateClientOrderId(status, code, message);
        }
        if (text.contains("not fractionable")) {
            return new NotFractionable(status, code, message);
        }
        if (text.contains("insufficient buying power")) {
            return new InsufficientBuyingPower(status, code, message);
        }
        if (text.contains("insufficient qty")) {
            return new InsufficientQty(status, code, message);
        }
        if (status == 403 && (text.contains("forbidden") || text.contains("not authorized"))) {
            return new Unauthorized(status, code, message);
        }
        if (status == 404) {
            return new NotFound(status, code, message);
        }
        return new ClientError(status, code, message);
    }

    private static Instant parseReset(String header) {
        if (header == null) {
            return null;
        }
        try {
            return Instant.ofEpochSecond(Long.parseLong(header.trim()));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String describe(int status, Integer code, String message) {
        return "Alpaca answered " + status + (code == null ? "" : " (" + code + ")") + ": " + message;
    }

    /** 401, or 403 "forbidden": the keys are wrong or lack the right. */
    public static final class Unauthorized extends AlpacaException {
        Unauthorized(int status, Integer code, String message) {
            super(status, code, message);
        }
    }

    /** The account's buying power does not cover the order. */
    public static final class InsufficientBuyingPower extends AlpacaException {
        InsufficientBuyingPower(int status, Integer code, String message) {
            super(status, code, message);
        }
    }

    /** A sell asks for more shares than are held and not already held for other orders. */
    public static final class InsufficientQty extends AlpacaException {
        InsufficientQty(int status, Integer code, String message) {
            super(status, code, message);
        }
    }

    /** A fractional quantity or a notional order for an asset Alpaca trades only in whole shares. */
    public static final class NotFractionable extends AlpacaException {
        NotFractionable(int status, Integer code, String message) {
            super(status, code, message);
        }
    }

    /** The client order id was used before, even by an order that was canceled since. */
    public static final class DuplicateClientOrderId extends AlpacaException {
        DuplicateClientOrderId(int status, Integer code, String message) {
            super(status, code, message);
        }
    }

    /** An opposite-side order on the same symbol is still open (Alpaca answers 403 or 422). */
    public static final class WashTrade extends AlpacaException {
        WashTrade(int status, Integer code, String message) {
            super(status, code, message);
        }
    }

    /** 429: the per-account request budget is spent until {@link #resetAt()}. */
    public static final class RateLimited extends AlpacaException {
        private final Instant resetAt;

        RateLimited(int status, Integer code, String message, Instant resetAt) {
            super(status, code, message);
            this.resetAt = resetAt;
        }

        /** When the budget refills, from {@code X-RateLimit-Reset}; empty when Alpaca did not say. */
        public Optional<Instant> resetAt() {
            return Optional.ofNullable(resetAt);
        }
    }

    /** 404: no such order, position or asset. */
    public static final class NotFound extends AlpacaException {
        NotFound(int status, Integer code, String message) {
            super(status, code, message);
        }
    }

    /** Any other 4xx: the request was refused as it stands and repeating it will not help. */
    public static final class ClientError extends AlpacaException {
        ClientError(int status, Integer code, String message) {
            super(status, code, message);
        }
    }

    /** 5xx: Alpaca failed, possibly after acting on the request. */
    public static final class ServerError extends AlpacaException {
        ServerError(int status, Integer code, String message) {
            super(status, code, message);
        }

        @Override
        public boolean outcomeUnknown() {
            return true;
        }
    }

    /**
     * No answer: a timeout or a broken connection. Alpaca may or may not have acted on the request. A shared
     * {@link RequestBudget} that cannot be asked says so with this too: the caller treats it as any other doubt.
     */
    public static final class Unavailable extends AlpacaException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public boolean outcomeUnknown() {
            return true;
        }
    }
}
