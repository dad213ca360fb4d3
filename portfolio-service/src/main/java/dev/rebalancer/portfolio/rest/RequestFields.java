package dev.rebalancer.portfolio.rest;

import dev.rebalancer.portfolio.domain.InvalidInput;

import com.fasterxml.jackson.databind.JsonNode;

/** The checks every request body shares: an object, and the text fields it must have. Refusals name the field. */
public final class RequestFields {

    private RequestFields() {
    }

    public static void requireObject(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidInput("", "the body must be a JSON object");
        }
    }

    /** The field's text as given; refused when absent, null, blank or not a string. */
    public static String requiredText(JsonNode body, String field) {
        return text(body.get(field), field);
    }

    static String text(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            throw new InvalidInput(field, "is required");
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new InvalidInput(field, "must be a non-empty string");
        }
        return node.asText();
    }
}
