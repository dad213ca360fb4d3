package dev.rebalancer.portfolio.book;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.Strategies;
import dev.rebalancer.contracts.Weight;
import java.util.List;

/** The JSON columns: written and read with the events' codec. */
final class Json {

    private static final TypeReference<List<Weight>> WEIGHTS = new TypeReference<>() {
    };
    private static final TypeReference<List<RebalanceCondition>> CONDITIONS = new TypeReference<>() {
    };

    private Json() {
    }

    static String write(Object value) {
        return value == null ? null : EventJson.write(value);
    }

    static List<Weight> weights(String json) {
        return read(json, WEIGHTS);
    }

    static List<RebalanceCondition> conditions(String json) {
        return json == null ? List.of() : read(json, CONDITIONS);
    }

    static Strategies strategies(String json) {
        return json == null ? Strategies.NONE : read(json, new TypeReference<Strategies>() {
        });
    }

    /** Strategies as stored: null when there are none. */
    static String strategies(Strategies strategies) {
        return strategies.equals(Strategies.NONE) ? null : write(strategies);
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return EventJson.mapper().readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored JSON is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
