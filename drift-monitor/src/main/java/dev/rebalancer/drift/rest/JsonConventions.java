package dev.rebalancer.drift.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebalancer.contracts.EventJson;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/** The API answers in the events' JSON conventions: snake_case, decimals as strings, UTC times. */
@Singleton
public class JsonConventions implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        EventJson.configure(mapper);
    }
}
