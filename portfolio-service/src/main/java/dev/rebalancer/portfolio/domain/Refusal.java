package dev.rebalancer.portfolio.domain;

/**
 * The book cannot do what was asked, and says why: no such thing, not in its present state, or not now. The REST edge
 * answers it in Alpaca's error shape (404, 409, 422, 503); below the edge nothing knows HTTP.
 */
public final class Refusal extends RuntimeException {

    public enum Kind {
        /** What was named does not exist. */
        NOT_FOUND,
        /** It exists, but this would contradict its present state. */
        CONFLICT,
        /** The rules do not allow it. */
        NOT_ALLOWED,
        /** Something it depends on (Alpaca) cannot be asked just now. */
        UNAVAILABLE
    }

    private final Kind kind;

    private Refusal(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static Refusal notFound(String message) {
        return new Refusal(Kind.NOT_FOUND, message);
    }

    public static Refusal conflict(String message) {
        return new Refusal(Kind.CONFLICT, message);
    }

    public static Refusal notAllowed(String message) {
        return new Refusal(Kind.NOT_ALLOWED, message);
    }

    public static Refusal unavailable(String message) {
        return new Refusal(Kind.UNAVAILABLE, message);
    }
}
