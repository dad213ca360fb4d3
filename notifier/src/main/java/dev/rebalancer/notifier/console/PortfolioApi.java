package dev.rebalancer.notifier.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebalancer.notifier.config.NotifierConfig;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * portfolio-service's API as the console uses it, with its credentials (HTTP Basic) and a timeout on every call:
 * accounts, drift, runs, and the halt switch. Reads may be repeated; a halt or resume carries the Telegram update's id
 * as its {@code Idempotency-Key}, so repeating one (after a crash, or a lost answer) changes nothing.
 */
public final class PortfolioApi {

    /** portfolio-service did not answer, or answered with a 5xx: the command is tried again later. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }
    }

    /** An answer other than 2xx and 5xx (a 404, or 401 for wrong credentials): told to the user, not retried. */
    public static final class Refused extends RuntimeException {
        private final int status;
        private final String said;

        Refused(int status, String said) {
            super("portfolio-service answered HTTP " + status + ": " + said);
            this.status = status;
            this.said = said;
        }

        public int status() {
            return status;
        }

        /** portfolio-service's own words ("account … has no active subscription …"). */
        public String said() {
            return said;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String base;
    private final String authorization;
    private final Duration timeout;

    public PortfolioApi(String url, String key, String secret, Duration timeout) {
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((key + ":" + secret)
                .getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /** From the settings; empty when no URL is set. Credentials are required with a URL. */
    public static Optional<PortfolioApi> of(NotifierConfig.Portfolio settings) {
        Optional<String> url = settings.url().filter(u -> !u.isBlank());
        if (url.isEmpty()) {
            return Optional.empty();
        }
        String key = settings.apiKey().filter(k -> !k.isBlank()).orElseThrow(() -> new IllegalStateException(
                "PORTFOLIO_URL is set but REBALANCER_API_KEY is not: the notifier calls portfolio-service with them"));
        String secret = settings.apiSecret().filter(k -> !k.isBlank()).orElseThrow(() -> new IllegalStateException(
                "PORTFOLIO_URL is set but REBALANCER_API_SECRET is not: the notifier calls portfolio-service with them"));
        return Optional.of(new PortfolioApi(url.get(), key, secret, settings.timeout()));
    }

    public JsonNode accounts() {
        return get("/v1/accounts");
    }

    /** The account's drift, or a refusal (404: no subscription, no snapshot yet). */
    public Answer drift(String accountId) {
        return call(request("/v1/accounts/" + encode(accountId) + "/drift").GET().build());
    }

    /** The newest runs (of one account, or all when null), at most {@code limit}. */
    public JsonNode runs(String accountId, int limit) {
        return get("/v1/rebalancing/runs?limit=" + limit + (accountId == null ? "" : "&account_id=" + encode(accountId)));
    }

    public JsonNode halt() {
        return get("/v1/trading/halt");
    }

    /** Engages the halt; {@code key} makes a repeat change nothing. */
    public JsonNode engage(String reason, String requestedBy, String key) {
        ObjectNode body = JSON.createObjectNode().put("reason", reason).put("requested_by", requestedBy);
        return ok(call(request("/v1/trading/halt").header("Idempotency-Key", key).header("Content-Type",
                "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build()));
    }

    /** Releases the halt; {@code key} makes a repeat change nothing. */
    public JsonNode release(String reason, String requestedBy, String key) {
        return ok(call(request("/v1/trading/halt?reason=" + encode(reason) + "&requested_by=" + encode(requestedBy))
                .header("Idempotency-Key", key).DELETE().build()));
    }

    /** A 2xx's body, or a refusal. */
    public record Answer(JsonNode body, Refused refused) {
        public boolean ok() {
            return refused == null;
        }
    }

    private JsonNode get(String path) {
        return ok(call(request(path).GET().build()));
    }

    private static JsonNode ok(Answer answer) {
        if (!answer.ok()) {
            throw answer.refused();
        }
        return answer.body();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).header("Authorization", authorization)
                .header("Accept", "application/json");
    }

    private Answer call(HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new Unavailable("portfolio-service did not answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            throw new Unavailable("portfolio-service did not answer (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted");
        }
        JsonNode body = read(response.body());
        int status = response.statusCode();
        if (status >= 500) {
            throw new Unavailable("portfolio-service answered HTTP " + status + ": "
                    + body.path("message").asText("(no message)"));
        }
        if (status >= 300) {
            return new Answer(body, new Refused(status, body.path("message").asText("(no message)")));
        }
        return new Answer(body, null);
    }

    private static JsonNode read(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
