package dev.rebalancer.contracts;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON codec of the events: snake_case names, money and quantities as decimal strings, timestamps ISO-8601 in
 * UTC, absent rather than null fields, unknown fields ignored (a newer producer does not break an older consumer).
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = configure(new ObjectMapper());

    private EventJson() {
    }

    /**
     * Applies the event conventions to a mapper, so that a framework's own mapper (Quarkus REST, the Kafka serdes)
     * writes and reads events exactly as this codec does.
     */
    public static ObjectMapper configure(ObjectMapper mapper) {
        mapper.registerModule(new JavaTimeModule());
        mapper.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        mapper.setSerializationInclusion(JsonInclude.Include.NON_NULL);
        mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.configOverride(BigDecimal.class).setFormat(JsonFormat.Value.forShape(JsonFormat.Shape.STRING));
        mapper.enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
        mapper.registerModule(new SimpleModule("event-decimals").addDeserializer(BigDecimal.class, new Decimals()));
        return mapper;
    }

    /**
     * Reads decimals straight with {@link BigDecimal#BigDecimal(String)}: Jackson's own deserializer runs a regular
     * expression over every decimal string first, which was a tenth of the drift monitor's time per snapshot.
     */
    private static final class Decimals extends StdScalarDeserializer<BigDecimal> {

        Decimals() {
            super(BigDecimal.class);
        }

        @Override
        public BigDecimal deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            return switch (parser.currentToken()) {
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getDecimalValue();
                case VALUE_STRING -> {
                    String text = parser.getText().trim();
                    if (text.isEmpty()) {
                        yield null;
                    }
                    try {
                        yield new BigDecimal(text);
                    } catch (NumberFormatException e) {
                        yield (BigDecimal) context.handleWeirdStringValue(BigDecimal.class, text, "not a decimal number");
                    }
                }
                default -> (BigDecimal) context.handleUnexpectedToken(BigDecimal.class, parser);
            };
        }
    }

    /** The shared, configured mapper; do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String write(Object event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + event.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static byte[] writeBytes(Object event) {
        return write(event).getBytes(StandardCharsets.UTF_8);
    }

    /** The {@code event_type} of a document, for topics that carry more than one type; empty if it has none. */
    public static String eventType(byte[] json) {
        try {
            return MAPPER.readTree(json).path("event_type").asText("");
        } catch (IOException e) {
            throw new EventFormatException("", "malformed JSON: " + e.getMessage(), e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        return read(json.getBytes(StandardCharsets.UTF_8), type);
    }

    /** Reads one event, or throws {@link EventFormatException} naming the field that is missing or malformed. */
    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (ValueInstantiationException e) {
            if (e.getCause() instanceof MissingFieldException missing) {
                String field = join(path(e), missing.field());
                String message = missing.getMessage().replace("'" + missing.field() + "'", "'" + field + "'");
                throw new EventFormatException(field, type.getSimpleName() + ": " + message, e);
            }
            throw malformedValue(type, e);
        } catch (MismatchedInputException e) {
            throw malformedValue(type, e);
        } catch (JsonProcessingException e) {
            throw new EventFormatException("", type.getSimpleName() + ": malformed JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static EventFormatException malformedValue(Class<?> type, JsonMappingException e) {
        String field = path(e);
        return new EventFormatException(field,
                type.getSimpleName() + ": field '" + field + "' is malformed: " + e.getOriginalMessage(), e);
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    private static String join(String path, String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
