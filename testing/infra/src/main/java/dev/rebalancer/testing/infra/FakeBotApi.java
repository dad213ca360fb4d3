package dev.rebalancer.testing.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Telegram Bot API as a test plays it, in its wire format: {@code {"ok":…}} bodies, {@code getUpdates} long polling
 * with {@code offset} (updates below it are confirmed and gone) and {@code timeout}, a second concurrent
 * {@code getUpdates} ending the first with 409 as Telegram does, {@code sendMessage} (JSON or form) with MarkdownV2
 * checked for unescaped characters and the 4096-character limit, {@code sendPhoto} as multipart/form-data. A test
 * writes updates as a user would ({@link #message}) and reads what the bot sent ({@link #sent()}). For the soak it can
 * be down (502 Bad Gateway, as Telegram's front answers while its back end is away; nothing taken) and can drop
 * answers: take a message, then close the connection without a word, so the bot cannot know it arrived.
 */
public final class FakeBotApi implements AutoCloseable {

    public static final String TOKEN = "123456:fake-bot-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RESERVED = "_*[]()~`>#+-=|{}.!\\";
    private static final Duration MAX_POLL = Duration.ofSeconds(30);

    /**
     * One message the bot sent and Telegram took: {@code method} sendMessage or sendPhoto; text or caption as sent;
     * the photo's bytes; whether its answer was dropped (the bot was not told it arrived).
     */
    public record Sent(int seq, Instant at, String method, String chatId, String text, String parseMode, byte[] photo,
            boolean answerDropped) {

        /** A text message as taken (for tests of what judges a list of them). */
        public static Sent text(int seq, Instant at, String text, boolean answerDropped) {
            return new Sent(seq, at, "sendMessage", "", text, "MarkdownV2", null, answerDropped);
        }

        /** The text (or caption) as the user reads it: MarkdownV2's escapes and bold marks taken out. */
        public String shown() {
            return "MarkdownV2".equals(parseMode) ? unescaped(text) : text;
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-bot-api");
        t.setDaemon(true);
        return t;
    });
    private final ArrayDeque<ObjectNode> updates = new ArrayDeque<>();
    private final List<Sent> sent = new ArrayList<>();
    private final List<Long> offsetsAsked = new ArrayList<>();
    private long nextUpdateId = 700_000;
    private long nextMessageId = 1;
    private int conflicts;
    private int refusedFormatting;
    private Object currentPoll;
    private Runnable beforeDelivering;
    private final java.util.Random random;
    private Instant downUntil = Instant.EPOCH;
    private double dropRate;
    private int refused;

    public FakeBotApi() {
        this(0);
    }

    /** With the seed of the choice of which answers to drop ({@link #dropAnswers}). */
    public FakeBotApi(long seed) {
        this.random = new java.util.Random(seed);
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("the fake Bot API did not start", e);
        }
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** A text message from user {@code fromId} in chat {@code chatId}, as an update; its {@code update_id}. */
    public synchronized long message(long chatId, long fromId, String text) {
        long updateId = nextUpdateId++;
        ObjectNode update = JSON.createObjectNode().put("update_id", updateId);
        ObjectNode message = update.putObject("message").put("message_id", nextMessageId++)
                .put("date", Instant.now().getEpochSecond()).put("text", text);
        message.putObject("from").put("id", fromId).put("is_bot", false).put("first_name", "User " + fromId)
                .put("username", "user" + fromId);
        message.putObject("chat").put("id", chatId).put("type", chatId < 0 ? "group" : "private");
        if (text.startsWith("/")) {
            int end = text.indexOf(' ') < 0 ? text.length() : text.indexOf(' ');
            message.putArray("entities").addObject().put("offset", 0).put("length", end).put("type", "bot_command");
        }
        updates.add(update);
        notifyAll();
        return updateId;
    }

    /**
     * Runs once, just before the next getUpdates answer that carries updates leaves (a test cuts the bot's database
     * there: it then handles an update it cannot record).
     */
    public synchronized void beforeDelivering(Runnable hook) {
        beforeDelivering = hook;
    }

    /** Down until then: every call answered 502 and nothing taken. */
    public synchronized void outageUntil(Instant until) {
        downUntil = until;
    }

    /** The share of taken messages whose answer is dropped (0: none). */
    public synchronized void dropAnswers(double rate) {
        dropRate = rate;
    }

    /** Calls answered 502 during an outage. */
    public synchronized int refused() {
        return refused;
    }

    /** Everything the bot sent and Telegram took, oldest first. */
    public synchronized List<Sent> sent() {
        return List.copyOf(sent);
    }

    /** The {@code offset} of every getUpdates, in order (absent: 0). */
    public synchronized List<Long> offsetsAsked() {
        return List.copyOf(offsetsAsked);
    }

    /** getUpdates calls ended with 409 because another began meanwhile. */
    public synchronized int conflicts() {
        return conflicts;
    }

    /** Messages refused because their MarkdownV2 was not well formed. */
    public synchronized int refusedFormatting() {
        return refusedFormatting;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!path.startsWith("/bot" + TOKEN + "/")) {
                answer(exchange, 404, "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found\"}");
                return;
            }
            String method = path.substring(path.lastIndexOf('/') + 1);
            byte[] body = exchange.getRequestBody().readAllBytes();
            synchronized (this) {
                if (Instant.now().isBefore(downUntil)) {
                    refused++;
                    answer(exchange, 502, "{\"ok\":false,\"error_code\":502,\"description\":\"Bad Gateway\"}");
                    return;
                }
            }
            String type = Optional.ofNullable(exchange.getRequestHeaders().getFirst("Content-Type")).orElse("");
            Map<String, Part> params = params(exchange.getRequestURI().getRawQuery(), type, body);
            switch (method) {
                case "getUpdates" -> getUpdates(exchange, params);
                case "sendMessage" -> send(exchange, "sendMessage", params);
                case "sendPhoto" -> send(exchange, "sendPhoto", params);
                case "getMe" -> answer(exchange, 200, "{\"ok\":true,\"result\":{\"id\":123456,\"is_bot\":true,"
                        + "\"first_name\":\"Rebalancer\",\"username\":\"rebalancer_test_bot\"}}");
                default -> answer(exchange, 404, "{\"ok\":false,\"error_code\":404,\"description\":\"Not Found: method "
                        + "not found\"}");
            }
        }
    }

    private void getUpdates(HttpExchange exchange, Map<String, Part> params) throws IOException {
        long offset = params.containsKey("offset") ? Long.parseLong(params.get("offset").text()) : 0;
        Duration timeout = Duration.ofSeconds(params.containsKey("timeout")
                ? Long.parseLong(params.get("timeout").text()) : 0);
        int limit = params.containsKey("limit") ? Integer.parseInt(params.get("limit").text()) : 100;
        Object poll = new Object();
        ArrayNode result = JSON.createArrayNode();
        synchronized (this) {
            offsetsAsked.add(offset);
            currentPoll = poll;
            notifyAll(); // a poll in progress ends with 409
            updates.removeIf(u -> u.get("update_id").asLong() < offset);
            long deadline = System.nanoTime() + Math.min(timeout.toNanos(), MAX_POLL.toNanos());
            while (updates.isEmpty() && currentPoll == poll && System.nanoTime() < deadline) {
                try {
                    wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (currentPoll != poll) {
                conflicts++;
                answer(exchange, 409, "{\"ok\":false,\"error_code\":409,\"description\":\"Conflict: terminated by other"
                        + " getUpdates request; make sure that only one bot instance is running\"}");
                return;
            }
            updates.stream().limit(limit).forEach(result::add);
            currentPoll = null;
            if (!result.isEmpty() && beforeDelivering != null) {
                beforeDelivering.run();
                beforeDelivering = null;
            }
        }
        answer(exchange, 200, JSON.createObjectNode().put("ok", true).set("result", result).toString());
    }

    private void send(HttpExchange exchange, String method, Map<String, Part> params) throws IOException {
        String chatId = params.containsKey("chat_id") ? params.get("chat_id").text() : "";
        String text = params.containsKey(method.equals("sendPhoto") ? "caption" : "text")
                ? params.get(method.equals("sendPhoto") ? "caption" : "text").text() : "";
        String parseMode = params.containsKey("parse_mode") ? params.get("parse_mode").text() : null;
        byte[] photo = params.containsKey("photo") ? params.get("photo").bytes() : null;
        if (chatId.isEmpty()) {
            answer(exchange, 400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: chat not found\"}");
            return;
        }
        if (method.equals("sendMessage") && text.isEmpty()) {
            answer(exchange, 400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: message text is "
                    + "empty\"}");
            return;
        }
        if (method.equals("sendPhoto") && (photo == null || photo.length == 0)) {
            answer(exchange, 400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: there is no photo in "
                    + "the request\"}");
            return;
        }
        String shown = "MarkdownV2".equals(parseMode) ? unescaped(text) : text;
        if (shown == null) {
            synchronized (this) {
                refusedFormatting++;
            }
            answer(exchange, 400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: can't parse "
                    + "entities: character is reserved and must be escaped with the preceding '\\\\'\"}");
            return;
        }
        int limit = method.equals("sendPhoto") ? 1024 : 4096;
        if (shown.codePointCount(0, shown.length()) > limit) {
            answer(exchange, 400, "{\"ok\":false,\"error_code\":400,\"description\":\"Bad Request: "
                    + (method.equals("sendPhoto") ? "message caption is too long" : "message is too long") + "\"}");
            return;
        }
        int seq;
        boolean drop;
        synchronized (this) {
            seq = sent.size() + 1;
            drop = dropRate > 0 && random.nextDouble() < dropRate;
            sent.add(new Sent(seq, Instant.now(), method, chatId, text, parseMode, photo, drop));
        }
        if (drop) {
            return; // the exchange closes without an answer: the connection is closed, the bot hears nothing
        }
        answer(exchange, 200, "{\"ok\":true,\"result\":{\"message_id\":" + seq + ",\"date\":"
                + Instant.now().getEpochSecond() + ",\"chat\":{\"id\":" + chatId + "}}}");
    }

    /**
     * The text a reader sees of a MarkdownV2 text using only bold, or null where Telegram would refuse it: a reserved
     * character not escaped, or a bold not closed.
     */
    public static String unescaped(String markdown) {
        StringBuilder shown = new StringBuilder();
        boolean bold = false;
        for (int i = 0; i < markdown.length(); i++) {
            char c = markdown.charAt(i);
            if (c == '\\') {
                if (i + 1 == markdown.length()) {
                    return null;
                }
                shown.append(markdown.charAt(++i));
            } else if (c == '*') {
                bold = !bold;
            } else if (RESERVED.indexOf(c) >= 0) {
                return null;
            } else {
                shown.append(c);
            }
        }
        return bold ? null : shown.toString();
    }

    /** A parameter: text, or a file's bytes. */
    private record Part(byte[] bytes) {
        String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static Map<String, Part> params(String query, String contentType, byte[] body) {
        Map<String, Part> params = new HashMap<>();
        form(query, params);
        if (contentType.startsWith("application/json") && body.length > 0) {
            try {
                JsonNode json = JSON.readTree(body);
                json.fields().forEachRemaining(e -> params.put(e.getKey(), new Part((e.getValue().isTextual()
                        ? e.getValue().asText() : e.getValue().toString()).getBytes(StandardCharsets.UTF_8))));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else if (contentType.startsWith("application/x-www-form-urlencoded")) {
            form(new String(body, StandardCharsets.UTF_8), params);
        } else if (contentType.startsWith("multipart/form-data")) {
            multipart(contentType.substring(contentType.indexOf("boundary=") + "boundary=".length()).replace("\"", ""),
                    body, params);
        }
        return params;
    }

    private static void form(String encoded, Map<String, Part> params) {
        if (encoded == null || encoded.isEmpty()) {
            return;
        }
        for (String pair : encoded.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.put(name, new Part(value.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** multipart/form-data: each part's name from its Content-Disposition, its bytes as sent. */
    private static void multipart(String boundary, byte[] body, Map<String, Part> params) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int at = indexOf(body, delimiter, 0);
        while (at >= 0) {
            int start = at + delimiter.length;
            if (start + 1 < body.length && body[start] == '-' && body[start + 1] == '-') {
                break; // the closing delimiter
            }
            start += 2; // CRLF after the delimiter
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
            int next = indexOf(body, delimiter, headersEnd);
            if (headersEnd < 0 || next < 0) {
                break;
            }
            String headers = new String(body, start, headersEnd - start, StandardCharsets.UTF_8);
            int nameAt = headers.indexOf("name=\"");
            if (nameAt >= 0) {
                String name = headers.substring(nameAt + 6, headers.indexOf('"', nameAt + 6));
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                content.write(body, headersEnd + 4, next - 2 - (headersEnd + 4)); // the CRLF before the delimiter
                params.put(name, new Part(content.toByteArray()));
            }
            at = next;
        }
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from); i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            currentPoll = new Object();
            notifyAll();
        }
        server.stop(0);
        threads.shutdownNow();
    }
}
