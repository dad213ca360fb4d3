package dev.rebalancer.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The doors a user knows: the portfolio API (HTTP Basic) and an account's Alpaca Trading API, as JSON over HTTP with a
 * 10 s timeout. A non-2xx answer is an {@link IllegalStateException} naming the call, the status and the body.
 */
public final class Http {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final URI base;
    private final Map<String, String> headers;

    private Http(URI base, Map<String, String> headers) {
        this.base = base;
        this.headers = headers;
    }

    /** The portfolio API with the stack's credentials. */
    public static Http api(URI portfolioService, String key, String secret) {
        return new Http(portfolioService, Map.of("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((key + ":" + secret).getBytes(StandardCharsets.UTF_8))));
    }

    /** An account's Trading API at the simulator, as the account's owner calls it. */
    public static Http alpaca(URI simulator, String key, String secret) {
        return new Http(simulator, Map.of("APCA-API-KEY-ID", key, "APCA-API-SECRET-KEY", secret));
    }

    public JsonNode get(String path) {
        return send("GET", path, null);
    }

    public JsonNode post(String path, String body) {
        return send("POST", path, body);
    }

    public JsonNode patch(String path, String body) {
        return send("PATCH", path, body);
    }

    public JsonNode delete(String path) {
        return send("DELETE", path, null);
    }

    /** On the portfolio API: creates the portfolio and subscribes the account to it; returns the subscription. */
    public JsonNode subscribe(String accountId, String portfolio) {
        String portfolioId = post("/v1/rebalancing/portfolios", portfolio).get("id").asText();
        return post("/v1/rebalancing/subscriptions", JSON.createObjectNode().put("account_id", accountId)
                .put("portfolio_id", portfolioId).toString());
    }

    /** Every order of the account at the simulator, newest first. */
    public List<JsonNode> orders() {
        List<JsonNode> orders = new ArrayList<>();
        get("/v2/orders?status=all&limit=500&direction=desc").forEach(orders::add);
        return orders;
    }

    private JsonNode send(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
