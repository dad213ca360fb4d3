package dev.rebalancer.portfolio.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.portfolio.domain.InvalidInput;
import dev.rebalancer.portfolio.messaging.DeadLetters;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import org.apache.kafka.common.KafkaException;

/**
 * {@code /v1/dead-letters}: what waits on each dead-letter topic, and its replay onto the topic it came from once the
 * cause is fixed: POST {@code /v1/dead-letters/replay {"topic": "rebalancer.runs.v1"}}.
 */
@Path("/v1/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@Blocking
public class DeadLetterResource {

    public record Waiting(Map<String, Long> waiting) {
    }

    public record Replayed(String topic, int replayed) {
    }

    private final DeadLetters deadLetters;

    DeadLetterResource(DeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    @GET
    public Waiting waiting() {
        try {
            return new Waiting(deadLetters.waiting());
        } catch (KafkaException e) {
            throw ApiException.unavailable("Kafka did not answer: " + e.getMessage());
        }
    }

    @POST
    @Path("/replay")
    public Replayed replay(String body) {
        JsonNode json = ApiJson.read(body);
        RequestFields.requireObject(json);
        String topic = RequestFields.requiredText(json, "topic");
        try {
            return new Replayed(topic, deadLetters.replay(topic));
        } catch (IllegalArgumentException e) {
            throw new InvalidInput("topic", e.getMessage());
        } catch (KafkaException | IllegalStateException e) {
            throw ApiException.unavailable("nothing was lost, try again: " + e.getMessage());
        }
    }
}
