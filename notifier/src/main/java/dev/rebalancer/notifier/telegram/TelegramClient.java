package dev.rebalancer.notifier.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Bot API's {@code sendMessage}, {@code sendPhoto} (multipart/form-data) and {@code getUpdates} (long polling),
 * each with a timeout. The token is part of the URL, so neither the URL nor the request ever appears in a message or a
 * log line; Telegram's {@code description} does.
 */
public final class TelegramClient {

    /** What became of one {@code sendMessage}. */
    public sealed interface Result {
    }

    public record Sent() implements Result {
    }

    /** 429: Telegram says how many seconds to wait. */
    public record RetryAfter(Duration delay, String description) implements Result {
    }

    /** 400 because the MarkdownV2 could not be parsed: send it again as plain text. */
    public record BadFormatting(String description) implements Result {
    }

    /** Anything else: a 5xx, no answer, or a refusal (wrong chat, blocked bot) that someone has to fix. */
    public record Failed(String description) implements Result {
    }

    /** What became of one {@code getUpdates}. */
    public sealed interface Polled {
    }

    /** The updates, oldest first (none when the long poll ended without any). */
    public record Updates(List<JsonNode> updates) implements Polled {
    }

    /** 409: another {@code getUpdates} (another process with this token) ended this one. */
    public record Conflict(String description) implements Polled {
    }

    /** No updates this time: a 5xx, a 429, no answer; wait {@code retryIn} before asking again. */
    public record PollFailed(String description, Duration retryIn) implements Polled {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final String base;
    private final String chatId;
    private final Duration timeout;

    public TelegramClient(String apiUrl, String token, String chatId, Duration timeout) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        String url = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
        this.base = url + "/bot" + validToken(token) + "/";
        this.chatId = chatId;
        this.timeout = timeout;
    }

    /** From the settings; empty without a token (notifications go to the log). A token needs a chat. */
    public static java.util.Optional<TelegramClient> of(dev.rebalancer.notifier.config.NotifierConfig.Telegram t) {
        return t.botToken().filter(token -> !token.isBlank()).map(token -> new TelegramClient(t.apiUrl(), token,
                t.chatId().filter(chat -> !chat.isBlank()).orElseThrow(() -> new IllegalStateException(
                        "TELEGRAM_BOT_TOKEN is set but TELEGRAM_CHAT_ID is not: set the chat to deliver to")),
                t.timeout()));
    }

    public String chatId() {
        return chatId;
    }

    /**
     * The token as the Bot API knows tokens ({@code 123456:ABC-def_…}), without the spaces or line break a copy and
     * paste leaves around it. Anything else is refused in words that never show the token: it is a password.
     */
    static String validToken(String token) {
        String trimmed = token.strip();
        if (!BOT_TOKEN.matcher(trimmed).matches()) {
            throw new IllegalArgumentException("TELEGRAM_BOT_TOKEN is not a Bot API token (digits, a colon, then letters,"
                    + " digits, '_' and '-' only; " + trimmed.length() + " characters given, not shown): check it"
                    + " for quotes, spaces or a line break inside");
        }
        return trimmed;
    }

    private static final java.util.regex.Pattern BOT_TOKEN = java.util.regex.Pattern.compile("[0-9]+:[A-Za-z0-9_-]+");

    public Result send(String text, boolean markdownV2) {
        ObjectNode body = JSON.createObjectNode();
        body.put("chat_id", chatId);
        body.put("text", text);
        if (markdownV2) {
            body.put("parse_mode", "MarkdownV2");
        }
        body.putObject("link_preview_options").put("is_disabled", true);
        return result(call(json("sendMessage", body, timeout)), markdownV2);
    }

    /** A PNG with a caption (at most 1024 characters as shown), as multipart/form-data. */
    public Result sendPhoto(byte[] png, String caption, boolean markdownV2) {
        String boundary = "rebalancer-" + java.util.UUID.randomUUID();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        field(body, boundary, "chat_id", chatId);
        field(body, boundary, "caption", caption);
        if (markdownV2) {
            field(body, boundary, "parse_mode", "MarkdownV2");
        }
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"chart.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(png);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "sendPhoto")).timeout(timeout)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        return result(call(request), markdownV2);
    }

    private static void field(java.io.ByteArrayOutputStream body, String boundary, String name, String value) {
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value
                + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code getUpdates} from {@code offset} (confirming every update below it), waiting up to {@code wait} for one:
     * only messages are asked for. The HTTP timeout is the wait plus the client's own.
     */
    public Polled updates(long offset, Duration wait) {
        ObjectNode body = JSON.createObjectNode().put("offset", offset).put("timeout", wait.toSeconds())
                .put("limit", 100);
        body.putArray("allowed_updates").add("message");
        Answer answer = call(json("getUpdates", body, wait.plus(timeout)));
        if (answer.status() == 200 && answer.body().path("ok").asBoolean(false)) {
            List<JsonNode> updates = new ArrayList<>();
            answer.body().path("result").forEach(updates::add);
            return new Updates(updates);
        }
        if (answer.status() == 409) {
            return new Conflict(answer.description());
        }
        Duration retryIn = answer.status() == 429 ? answer.retryAfter() : Duration.ofSeconds(5);
        return new PollFailed(answer.description(), retryIn);
    }

    private HttpRequest json(String method, ObjectNode body, Duration within) {
        return HttpRequest.newBuilder(URI.create(base + method)).timeout(within)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
    }

    /** An answer: its status (0: none came) and body; {@code description} says what happened in words. */
    private record Answer(int status, JsonNode body, String failure) {
        String description() {
            return failure != null ? failure
                    : "HTTP " + status + ": " + body.path("description").asText("(no description)");
        }

        /** A 429's {@code parameters.retry_after}: at least a second. */
        Duration retryAfter() {
            return Duration.ofSeconds(Math.max(1, body.path("parameters").path("retry_after").asLong(1)));
        }
    }

    private Answer call(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), read(response.body()), null);
        } catch (HttpTimeoutException e) {
            return new Answer(0, JSON.createObjectNode(), "no answer within "
                    + request.timeout().orElse(timeout).toMillis() + " ms");
        } catch (IOException e) {
            return new Answer(0, JSON.createObjectNode(), "no answer: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(0, JSON.createObjectNode(), "interrupted");
        }
    }

    private static Result result(Answer response, boolean markdownV2) {
        if (response.failure() != null) {
            return new Failed(response.failure());
        }
        JsonNode answer = response.body();
        if (response.status() == 200 && answer.path("ok").asBoolean(false)) {
            return new Sent();
        }
        String description = response.description();
        if (response.status() == 429) {
            return new RetryAfter(response.retryAfter(), description);
        }
        if (response.status() == 400 && markdownV2
                && answer.path("description").asText("").toLowerCase(Locale.ROOT).contains("parse entities")) {
            return new BadFormatting(description);
        }
        return new Failed(description);
    }

    private static JsonNode read(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
