package dev.rebalancer.contracts;

/**
 * An event could not be read: malformed JSON, a missing required field, or a value of the wrong form. {@link #field()}
 * names the offending field as a JSON path ({@code positions[0].qty}), or is empty when the JSON itself is malformed.
 */
public final class EventFormatException extends RuntimeException {

    private final String field;

    EventFormatException(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
