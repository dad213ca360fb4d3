package dev.rebalancer.alpaca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebalancer.alpaca.model.OrderRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every call has a timeout: a server that takes requests and never answers. */
class TimeoutTest {

    private ServerSocket server;
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    @BeforeEach
    void silentServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    sockets.add(socket);
                    Thread reader = new Thread(() -> readRequests(socket));
                    reader.setDaemon(true);
                    reader.start();
                } catch (IOException closed) {
                    return;
                }
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void readRequests(Socket socket) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("GET ") || line.startsWith("POST ") || line.startsWith("DELETE ")) {
                    requestLines.add(line);
                }
            }
        } catch (IOException closed) {
            // the client gave up
        }
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private AlpacaClient client() {
        AlpacaClientOptions options = new AlpacaClientOptions(Duration.ofSeconds(2), Duration.ofMillis(300), 200, 3,
                Duration.ofMillis(10), Duration.ofMillis(20));
        return new AlpacaClient(new AlpacaEndpoint(URI.create("http://127.0.0.1:" + server.getLocalPort()), "k", "s"),
                options);
    }

    @Test
    void a_read_without_an_answer_times_out_after_its_attempts() {
        long started = System.nanoTime();

        assertThatThrownBy(client()::account).isInstanceOfSatisfying(AlpacaException.Unavailable.class, e -> {
            assertThat(e.outcomeUnknown()).isTrue();
            assertThat(e.getMessage()).contains("no answer within 300 ms");
        });

        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(took).isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> requestLines.size() == 3);
    }

    @Test
    void an_order_submission_without_an_answer_is_sent_once() {
        assertThatThrownBy(() -> client().submitOrder(OrderRequest.marketBuyNotional("SPY", BigDecimal.TEN, "t-1")))
                .isInstanceOfSatisfying(AlpacaException.Unavailable.class, e -> assertThat(e.outcomeUnknown()).isTrue());

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> requestLines.size() == 1);
        Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> requestLines.size() == 1);
        assertThat(requestLines).singleElement().asString().startsWith("POST /v2/orders");
    }
}
