package dev.rebalancer.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.local.Http;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;

/** An account's runs as a user sees them: {@code GET /v1/rebalancing/runs}, through the portfolio API. */
final class Runs {

    static final Duration WITHIN = Duration.ofSeconds(60);
    static final Set<String> UNFINISHED = Set.of("QUEUED", "IN_PROGRESS");

    private Runs() {
    }

    /** The account's newest run of the type that matches. */
    static Optional<JsonNode> newest(Http api, String account, String type, Predicate<JsonNode> which) {
        JsonNode runs = api.get("/v1/rebalancing/runs?account_id=" + account + "&type=" + type).get("runs");
        return StreamSupport.stream(runs.spliterator(), false).filter(which)
                .max((a, b) -> a.get("created_at").asText().compareTo(b.get("created_at").asText()));
    }

    /** Waits for the account's newest run of the type that matches. */
    static JsonNode awaitNewest(Http api, String account, String type, Predicate<JsonNode> which) {
        return await().atMost(WITHIN).until(() -> newest(api, account, type, which), Optional::isPresent)
                .orElseThrow();
    }

    /** Waits for the account's newest run of the type that matches to have ended. */
    static JsonNode awaitFinal(Http api, String account, String type, Predicate<JsonNode> which) {
        return awaitNewest(api, account, type, which.and(r -> !UNFINISHED.contains(r.get("status").asText())));
    }
}
