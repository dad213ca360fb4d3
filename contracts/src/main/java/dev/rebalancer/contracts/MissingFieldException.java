package dev.rebalancer.contracts;

/** A required field is absent, null or blank. Thrown while an event is built, whether from JSON or in code. */
public final class MissingFieldException extends IllegalArgumentException {

    private final String field;

    public MissingFieldException(String field) {
        super("missing required field '" + field + "'");
        this.field = field;
    }

    public MissingFieldException(String field, String why) {
        super("field '" + field + "' " + why);
        this.field = field;
    }

    /** The field's name as it is spelled in JSON. */
    public String field() {
        return field;
    }
}
