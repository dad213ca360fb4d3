package dev.rebalancer.testing.infra;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for Cboe's public VIX history file ({@code VIX_History.csv}, {@code DATE,OPEN,HIGH,LOW,CLOSE}, a line a
 * trading day, dates {@code MM/DD/YYYY}) at the path Cboe serves it from. Tests set its days over HTTP
 * ({@link #setCloses}), make it answer 503 ({@link #setFailing}) and count its reads, from any class loader.
 */
public final class CboeVixFile implements AutoCloseable {

    public static final String PATH = "/api/global/us_indices/daily_prices/VIX_History.csv";
    private static final DateTimeFormatter CBOE_DATE = DateTimeFormatter.ofPattern("MM/dd/yyyy");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final HttpServer server;
    private volatile String csv = "DATE,OPEN,HIGH,LOW,CLOSE\n";
    private volatile boolean failing;
    private final AtomicInteger reads = new AtomicInteger();

    private CboeVixFile(HttpServer server) {
        this.server = server;
    }

    /** Serves the file on {@code port} (0: any free port), with a header and no day. */
    public static CboeVixFile start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            CboeVixFile file = new CboeVixFile(server);
            server.createContext(PATH, file::file);
            server.createContext("/admin/", file::admin);
            server.start();
            return file;
        } catch (IOException e) {
            throw new IllegalStateException("the VIX file double did not start", e);
        }
    }

    /** The file's URL, for {@code VIX_HISTORY_URL}. */
    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    private void file(HttpExchange exchange) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod())) {
            answer(exchange, 405, "GET only");
            return;
        }
        reads.incrementAndGet();
        if (failing) {
            answer(exchange, 503, "Service Unavailable");
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "text/csv");
        answer(exchange, 200, csv);
    }

    private void admin(HttpExchange exchange) throws IOException {
        String what = exchange.getRequestURI().getPath().substring("/admin/".length());
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        switch (what) {
            case "csv" -> csv = body;
            case "failing" -> failing = Boolean.parseBoolean(body.strip());
            case "reads" -> {
                answer(exchange, 200, Integer.toString(reads.get()));
                return;
            }
            default -> {
                answer(exchange, 404, "no such admin call: " + what);
                return;
            }
        }
        answer(exchange, 204, "");
    }

    private static void answer(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, status == 204 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            if (status != 204) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** Sets the days of the file at {@code url}, oldest first, each with its close (open, high and low the same). */
    public static void setCloses(URI url, Map<LocalDate, String> closes) {
        StringBuilder csv = new StringBuilder("DATE,OPEN,HIGH,LOW,CLOSE\n");
        closes.forEach((day, close) -> csv.append(CBOE_DATE.format(day)).append(',').append(close).append(',')
                .append(close).append(',').append(close).append(',').append(close).append('\n'));
        admin(url, "csv", csv.toString());
    }

    /** Makes the file at {@code url} answer 503 (or serve again). */
    public static void setFailing(URI url, boolean failing) {
        admin(url, "failing", Boolean.toString(failing));
    }

    /** How many times the file at {@code url} was asked for. */
    public static int reads(URI url) {
        return Integer.parseInt(admin(url, "reads", ""));
    }

    private static String admin(URI url, String what, String body) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url.resolve("/admin/" + what))
                    .timeout(Duration.ofSeconds(10)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("VIX file double: " + response.statusCode() + " " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new IllegalStateException("VIX file double unreachable at " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
