package dev.rebalancer.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The Telegram Bot API as the soak plays it, in its wire format ({@code {"ok":…}} bodies): every {@code sendMessage}
 * recorded. It can be down (an outage: 502 Bad Gateway, as Telegram's front answers when its back end is away, and no
 * message taken) and can drop answers: take the message, then close the connection without a word, so the sender
 * cannot know it arrived.
 */
final class FakeTelegram implements AutoCloseable {

    static final String TOKEN = "424242:chaos-token";
    static final String CHAT = "4242";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One {@code sendMessage} that was taken: its text, and whether its answer was dropped. */
    record Message(int seq, Instant at, String text, boolean answerDropped) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final List<Message> taken = new ArrayList<>();
    private final Random random;
    private int refused;
    private Instant downUntil = Instant.EPOCH;
    private double dropRate;

    FakeTelegram(long seed) {
        this.random = new Random(seed);
        try {
            server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("the fake Bot API did not start", e);
        }
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.actualPort());
    }

    /** Down until then: every call answered 502 and nothing taken. */
    synchronized void outageUntil(Instant until) {
        downUntil = until;
    }

    /** The share of taken messages whose answer is dropped (0: none). */
    synchronized void dropAnswers(double rate) {
        dropRate = rate;
    }

    synchronized List<Message> messages() {
        return List.copyOf(taken);
    }

    /** Calls answered 502 during an outage. */
    synchronized int refused() {
        return refused;
    }

    private void handle(HttpServerRequest request) {
        request.body().onComplete(body -> {
            String path = request.path();
            if (!path.startsWith("/bot" + TOKEN + "/")) {
                answer(request, 404, "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}");
                return;
            }
            String method = path.substring(path.lastIndexOf('/') + 1);
            synchronized (this) {
                if (Instant.now().isBefore(downUntil)) {
                    refused++;
                    answer(request, 502, "{\"ok\":false,\"error_code\":502,\"description\":\"Bad Gateway\"}");
                    return;
                }
            }
            switch (method) {
                case "sendMessage" -> sendMessage(request, body.succeeded() ? body.result().toString() : "");
                case "getUpdates" -> answer(request, 200, "{\"ok\":true,\"result\":[]}");
                default -> answer(request, 200, "{\"ok\":true,\"result\":true}");
            }
        });
    }

    private void sendMessage(HttpServerRequest request, String body) {
        JsonNode message;
        try {
            message = JSON.readTree(body);
        } catch (Exception e) {
            answer(request, 400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: can't parse JSON\"}");
            return;
        }
        if (!CHAT.equals(message.path("chat_id").asText()) || message.path("text").asText().isEmpty()) {
            answer(request, 400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat not found\"}");
            return;
        }
        boolean drop;
        int seq;
        synchronized (this) {
            drop = random.nextDouble() < dropRate;
            seq = taken.size() + 1;
            taken.add(new Message(seq, Instant.now(), message.path("text").asText(), drop));
        }
        if (drop) {
            request.connection().close();
            return;
        }
        answer(request, 200, "{\"ok\":true,\"result\":{\"message_id\":" + seq + ",\"date\":"
                + Instant.now().getEpochSecond() + ",\"chat\":{\"id\":" + CHAT + ",\"type\":\"private\"},\"text\":"
                + JSON.valueToTree(message.path("text").asText()) + "}}");
    }

    private static void answer(HttpServerRequest request, int status, String body) {
        request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }

    @Override
    public void close() {
        vertx.close();
    }
}
