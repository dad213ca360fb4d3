package dev.rebalancer.contracts;

import java.util.List;

/** Checks used by the events' constructors; field names are given as they are spelled in JSON. */
final class Fields {

    private Fields() {
    }

    static <T> T required(T value, String field) {
        if (value == null) {
            throw new MissingFieldException(field);
        }
        return value;
    }

    static String requiredText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw new MissingFieldException(field);
        }
        return value;
    }

    static <T> List<T> requiredList(List<T> value, String field) {
        return withoutNulls(required(value, field), field);
    }

    static <T> List<T> listOrEmpty(List<T> value, String field) {
        return value == null ? List.of() : withoutNulls(value, field);
    }

    private static <T> List<T> withoutNulls(List<T> value, String field) {
        for (int i = 0; i < value.size(); i++) {
            if (value.get(i) == null) {
                throw new MissingFieldException(field + "[" + i + "]");
            }
        }
        return List.copyOf(value);
    }
}
