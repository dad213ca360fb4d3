package dev.rebalancer.sim;

import java.util.LinkedHashMap;
import java.util.Map;

/** An answer Alpaca gives instead of a result: an HTTP status and the body {@code {"code": ..., "message": ...}}. */
final class SimError extends RuntimeException {

    static final int MALFORMED = 40010000;
    static final int VALIDATION = 40010001;
    static final int UNAUTHORIZED = 40110000;
    static final int FORBIDDEN = 40310000;
    static final int NOT_FOUND = 40410000;
    static final int UNPROCESSABLE = 42210000;
    static final int RATE_LIMITED = 42910000;
    static final int INTERNAL = 50010000;

    final int status;
    final int code;
    final Map<String, String> extra = new LinkedHashMap<>();

    SimError(int status, int code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    /** Alpaca adds context to some errors, e.g. {@code buying_power} and {@code cost_basis}. */
    SimError with(String field, String value) {
        extra.put(field, value);
        return this;
    }

    static SimError validation(String message) {
        return new SimError(422, VALIDATION, message);
    }

    /** The market data API's answer to a query it cannot take (an unknown adjustment, no symbols): a 400. */
    static SimError badQuery(String message) {
        return new SimError(400, VALIDATION, message);
    }

    static SimError notFound(String message) {
        return new SimError(404, NOT_FOUND, message);
    }
}
