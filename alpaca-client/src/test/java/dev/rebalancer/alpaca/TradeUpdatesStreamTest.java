package dev.rebalancer.alpaca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.alpaca.model.OrderRequest;
import dev.rebalancer.alpaca.model.TradeUpdate;
import dev.rebalancer.sim.AlpacaSimServer;
import dev.rebalancer.sim.SimAdminClient;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TradeUpdatesStreamTest {

    private AlpacaSimServer sim;
    private SimAdminClient admin;
    private AlpacaClient client;
    private final List<TradeUpdate> updates = new CopyOnWriteArrayList<>();
    private final List<String> disconnects = new CopyOnWriteArrayList<>();
    private final AtomicInteger connects = new AtomicInteger();

    private final TradeUpdatesStream.Listener listener = new TradeUpdatesStream.Listener() {
        @Override
        public void onUpdate(TradeUpdate update) {
            updates.add(update);
        }

        @Override
        public void onConnected() {
            connects.incrementAndGet();
        }

        @Override
        public void onDisconnected(String reason) {
            disconnects.add(reason);
        }
    };

    @BeforeEach
    void start() {
        sim = AlpacaSimServer.start(0);
        admin = sim.admin();
        admin.createAccount("stream-key", "stream-secret", "10000");
        admin.config(200, "0");
        client = new AlpacaClient(new AlpacaEndpoint(sim.baseUrl(), "stream-key", "stream-secret"),
                AlpacaClientOptions.defaults().withBackoff(Duration.ofMillis(50), Duration.ofMillis(400)));
    }

    @AfterEach
    void stop() {
        sim.close();
    }

    private List<TradeUpdate.Kind> kindsOf(String orderId) {
        return updates.stream().filter(u -> u.order().id().equals(orderId)).map(TradeUpdate::kind).toList();
    }

    /** Waits for the order's update of that kind; if it never comes, says what the stream did meanwhile. */
    private void awaitUpdate(String orderId, TradeUpdate.Kind kind) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(kindsOf(orderId))
                .as("updates of order %s; all updates %s; %d connects; disconnects %s", orderId,
                        updates.stream().map(u -> u.kind() + " " + u.order().id()).toList(), connects.get(), disconnects)
                .contains(kind));
    }

    @Test
    void an_order_is_followed_through_the_stream_to_filled() {
        try (TradeUpdatesStream stream = client.tradeUpdates(listener)) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(stream::isConnected);

            Order order = client.submitOrder(OrderRequest.marketBuyNotional("SPY", new BigDecimal("1200.20"), "s-1"));

            awaitUpdate(order.id(), TradeUpdate.Kind.FILL);
            assertThat(kindsOf(order.id())).containsExactly(TradeUpdate.Kind.NEW, TradeUpdate.Kind.FILL);
            TradeUpdate fill = updates.get(updates.size() - 1);
            assertThat(fill.order().status()).isEqualTo("filled");
            assertThat(fill.order().clientOrderId()).isEqualTo("s-1");
            assertThat(fill.qty()).isEqualByComparingTo("2");
            assertThat(fill.price()).isEqualByComparingTo("600.10");
            assertThat(fill.positionQty()).isEqualByComparingTo("2");
            assertThat(connects.get()).isEqualTo(1);
        }
    }

    @Test
    void the_stream_drops_and_comes_back_by_itself() {
        try (TradeUpdatesStream stream = client.tradeUpdates(listener)) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(stream::isConnected);

            admin.faults(null, null, null, true);

            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !stream.isConnected() && !disconnects.isEmpty());
            Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !stream.isConnected());
            assertThat(disconnects).hasSizeGreaterThanOrEqualTo(2);

            admin.faults(null, null, null, false);

            Awaitility.await().atMost(Duration.ofSeconds(10)).until(stream::isConnected);
            assertThat(connects.get()).isGreaterThanOrEqualTo(2);
            Order order = client.submitOrder(OrderRequest.marketBuyQty("TLT", new BigDecimal("3"), "s-2"));
            awaitUpdate(order.id(), TradeUpdate.Kind.FILL);
        }
    }

    @Test
    void a_handshake_left_unanswered_is_given_up_and_tried_again() {
        admin.silentStream(true);
        AlpacaClient impatient = new AlpacaClient(new AlpacaEndpoint(sim.baseUrl(), "stream-key", "stream-secret"),
                AlpacaClientOptions.defaults().withRequestTimeout(Duration.ofMillis(500))
                        .withBackoff(Duration.ofMillis(50), Duration.ofMillis(100)));

        try (TradeUpdatesStream stream = impatient.tradeUpdates(listener)) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> disconnects.size() >= 2);
            assertThat(disconnects.get(0)).isEqualTo("no answer to authenticate and listen within 500 ms");
            assertThat(stream.isConnected()).isFalse();
            assertThat(connects.get()).isZero();

            admin.silentStream(false);

            Awaitility.await().atMost(Duration.ofSeconds(10)).until(stream::isConnected);
            Order order = impatient.submitOrder(OrderRequest.marketBuyQty("GLD", new BigDecimal("1"), "s-3"));
            awaitUpdate(order.id(), TradeUpdate.Kind.FILL);
        }
    }

    @Test
    void wrong_keys_never_connect_and_say_why() {
        AlpacaClient wrong = new AlpacaClient(new AlpacaEndpoint(sim.baseUrl(), "stream-key", "wrong"),
                AlpacaClientOptions.defaults().withBackoff(Duration.ofMillis(50), Duration.ofMillis(100)));

        try (TradeUpdatesStream stream = wrong.tradeUpdates(listener)) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !disconnects.isEmpty());
            assertThat(disconnects.get(0)).contains("not authorized");
            assertThat(stream.isConnected()).isFalse();
            assertThat(connects.get()).isZero();
        }
    }
}
