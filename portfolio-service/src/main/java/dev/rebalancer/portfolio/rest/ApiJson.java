package dev.rebalancer.portfolio.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebalancer.contracts.EventJson;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The API speaks the events' JSON conventions (snake_case, decimals as strings, RFC 3339 times), which are Alpaca's.
 * Request bodies are read as trees and checked by the domain rules, so that a wrong type is a 422 naming the field
 * and only malformed JSON is a 400.
 */
@Singleton
public class ApiJson implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        EventJson.configure(mapper);
    }

    static JsonNode read(String body) {
        if (body == null || body.isBlank()) {
            throw ApiException.malformed("a JSON body is required");
        }
        try {
            return EventJson.mapper().readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.malformed("malformed JSON: " + e.getOriginalMessage());
        }
    }
}
