package dev.rebalancer.portfolio.domain;

/** A request the rules refuse; {@link #field()} names what is wrong as a JSON path. Answered with a 422. */
public final class InvalidInput extends RuntimeException {

    private final String field;

    public InvalidInput(String field, String message) {
        super(field.isEmpty() ? message : field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
