package dev.rebalancer.alpaca;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebalancer.alpaca.model.TradeUpdate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The account's {@code trade_updates} WebSocket: authenticates, listens, hands every update to the listener, and when
 * the connection drops or is refused, or authenticate and listen are not answered within the request timeout,
 * reconnects with exponential backoff until {@link #close()}d. Alpaca's paper
 * endpoint sends binary frames and the live one text frames; both are read. Event names Alpaca adds later arrive as
 * {@link TradeUpdate.Kind#OTHER} rather than as errors.
 */
public final class TradeUpdatesStream implements AutoCloseable {

    /** Called on the stream's own thread; keep the work short or hand it off. */
    public interface Listener {
        void onUpdate(TradeUpdate update);

        /** Authorized and listening: from now on no update is missed until {@link #onDisconnected}. */
        default void onConnected() {
        }

        /** The stream is down; updates may be missed until {@link #onConnected} again (poll meanwhile). */
        default void onDisconnected(String reason) {
        }
    }

    private static final System.Logger LOG = System.getLogger(TradeUpdatesStream.class.getName());
    private static final ObjectMapper JSON = AlpacaJson.mapper();

    private final HttpClient http;
    private final AlpacaEndpoint endpoint;
    private final AlpacaClientOptions options;
    private final Listener listener;
    private final ScheduledExecutorService reconnects;
    private Duration backoff;
    private volatile WebSocket socket;
    /** The connection attempt in force; a late close or error of an older one is ignored. */
    private Frames current;
    private volatile boolean connected;
    private volatile boolean closed;

    private TradeUpdatesStream(HttpClient http, AlpacaEndpoint endpoint, AlpacaClientOptions options,
            Listener listener) {
        this.http = http;
        this.endpoint = endpoint;
        this.options = options;
        this.listener = listener;
        this.backoff = options.initialBackoff();
        this.reconnects = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "alpaca-stream-" + endpoint.keyId());
            thread.setDaemon(true);
            return thread;
        });
    }

    static TradeUpdatesStream open(HttpClient http, AlpacaEndpoint endpoint, AlpacaClientOptions options,
            Listener listener) {
        TradeUpdatesStream stream = new TradeUpdatesStream(http, endpoint, options, listener);
        stream.reconnects.execute(stream::connect);
        return stream;
    }

    /** Whether the stream is authorized and listening right now. */
    public boolean isConnected() {
        return connected;
    }

    @Override
    public void close() {
        closed = true;
        WebSocket current = socket;
        if (current != null) {
            current.abort();
        }
        reconnects.shutdownNow();
    }

    private void connect() {
        Frames frames = new Frames();
        synchronized (this) {
            if (closed) {
                return;
            }
            current = frames;
        }
        http.newWebSocketBuilder()
                .connectTimeout(options.connectTimeout())
                .buildAsync(endpoint.streamUrl(), frames)
                .whenComplete((ws, failure) -> {
                    if (failure != null) {
                        lost(frames, "cannot connect: " + failure.getMessage());
                    } else {
                        socket = ws;
                    }
                });
    }

    private synchronized void lost(Frames frames, String reason) {
        if (frames != current) {
            return;
        }
        current = null;
        boolean wasConnected = connected;
        connected = false;
        socket = null;
        if (closed) {
            return;
        }
        if (wasConnected) {
            LOG.log(System.Logger.Level.WARNING, "trade_updates stream lost ({0}); reconnecting", reason);
        }
        listener.onDisconnected(reason);
        Duration wait = backoff;
        backoff = backoff.multipliedBy(2).compareTo(options.maxBackoff()) <= 0 ? backoff.multipliedBy(2)
                : options.maxBackoff();
        try {
            reconnects.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // closed meanwhile
        }
    }

    private void handle(Frames frames, WebSocket ws, JsonNode message) {
        String stream = message.path("stream").asText();
        JsonNode data = message.path("data");
        switch (stream) {
            case "authorization" -> {
                if ("authorized".equals(data.path("status").asText())) {
                    frames.send(ws, "listen",
                            JSON.createObjectNode().set("streams", JSON.createArrayNode().add("trade_updates")));
                } else {
                    ws.abort();
                    lost(frames, "not authorized: " + data.path("status").asText() + " " + data.path("message").asText(""));
                }
            }
            case "listening" -> {
                for (JsonNode name : data.path("streams")) {
                    if ("trade_updates".equals(name.asText())) {
                        synchronized (this) {
                            connected = true;
                            backoff = options.initialBackoff();
                        }
                        listener.onConnected();
                    }
                }
            }
            case "trade_updates" -> {
                try {
                    listener.onUpdate(JSON.treeToValue(data, TradeUpdate.class));
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "unreadable trade update skipped: {0}", e.getMessage());
                }
            }
            default -> LOG.log(System.Logger.Level.DEBUG, "stream message ignored: {0}", stream);
        }
    }

    /** No "listening" within the request timeout of the connection opening: the handshake stalled; start over. */
    private void handshakeDeadline(Frames frames, WebSocket ws) {
        synchronized (this) {
            if (frames != current || connected) {
                return;
            }
        }
        ws.abort();
        lost(frames, "no answer to authenticate and listen within " + options.requestTimeout().toMillis() + " ms");
    }

    /** Reassembles frames (text or binary, possibly split) into messages; sends one message at a time. */
    private final class Frames implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        /** The last send: the next waits for it, as a WebSocket refuses a send while another is pending. */
        private CompletableFuture<WebSocket> sending;

        @Override
        public void onOpen(WebSocket ws) {
            sending = CompletableFuture.completedFuture(ws);
            try {
                reconnects.schedule(() -> handshakeDeadline(this, ws), options.requestTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                // closed meanwhile
            }
            ObjectNode keys = JSON.createObjectNode().put("key_id", endpoint.keyId()).put("secret_key", endpoint.secretKey());
            send(ws, "authenticate", keys);
            ws.request(1);
        }

        /** A send that fails leaves the connection unusable: it is given up and a new one made. */
        synchronized void send(WebSocket ws, String action, ObjectNode data) {
            ObjectNode message = JSON.createObjectNode().put("action", action);
            message.set("data", data);
            String text = message.toString();
            sending = sending.thenCompose(previous -> ws.sendText(text, true));
            sending.whenComplete((sent, failure) -> {
                if (failure != null) {
                    ws.abort();
                    lost(this, "cannot send " + action + ": " + failure);
                }
            });
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                dispatch(ws, message);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            binary.writeBytes(bytes);
            if (last) {
                String message = binary.toString(StandardCharsets.UTF_8);
                binary.reset();
                dispatch(ws, message);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            lost(this, "closed by server (" + statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason) + ")");
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            lost(this, "error: " + error);
        }

        private void dispatch(WebSocket ws, String message) {
            JsonNode parsed;
            try {
                parsed = JSON.readTree(message);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "unreadable stream message skipped");
                return;
            }
            // Alpaca sends one object per message; some servers batch them in an array.
            if (parsed.isArray()) {
                parsed.forEach(item -> handle(this, ws, item));
            } else {
                handle(this, ws, parsed);
            }
        }
    }
}
