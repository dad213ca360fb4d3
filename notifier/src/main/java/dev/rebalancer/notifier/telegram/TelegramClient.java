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
import java.time.Duration;
import java.util.Locale;

/**
 * The Bot API's {@code sendMessage}, with a timeout. The token is part of the URL, so neither the URL nor the request
 * ever appears in a message or a log line; Telegram's {@code description} does.
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

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI sendMessage;
    private final String chatId;
    private final Duration timeout;

    public TelegramClient(String apiUrl, String token, String chatId, Duration timeout) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        String base = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
        this.sendMessage = URI.create(base + "/bot" + validToken(token) + "/sendMessage");
        this.chatId = chatId;
        this.timeout = timeout;
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
        HttpRequest request = HttpRequest.newBuilder(sendMessage).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            return new Failed("no answer within " + timeout.toMillis() + " ms");
        } catch (IOException e) {
            return new Failed("no answer: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Failed("interrupted");
        }
        JsonNode answer = read(response.body());
        if (response.statusCode() == 200 && answer.path("ok").asBoolean(false)) {
            return new Sent();
        }
        String description = "HTTP " + response.statusCode() + ": "
                + answer.path("description").asText("(no description)");
        if (response.statusCode() == 429) {
            long seconds = answer.path("parameters").path("retry_after").asLong(1);
            return new RetryAfter(Duration.ofSeconds(Math.max(1, seconds)), description);
        }
        if (response.statusCode() == 400 && markdownV2
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
