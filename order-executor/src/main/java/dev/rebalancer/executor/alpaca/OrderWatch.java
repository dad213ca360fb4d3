package dev.rebalancer.executor.alpaca;

import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.TradeUpdatesStream;
import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.alpaca.model.TradeUpdate;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * One account's {@code trade_updates} stream: the latest state of each order it reported, by client order id, and a
 * signal for whoever waits on fills. While the stream is down the waiters poll instead ({@link #connected()}).
 */
public final class OrderWatch implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OrderWatch.class);

    private final AlpacaClient client;
    private final Map<String, Order> latest = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private volatile TradeUpdatesStream stream;
    private volatile boolean connected;
    private long version;

    OrderWatch(AlpacaClient client) {
        this.client = client;
    }

    /** Opens the stream if it is not open, and waits a little for it to listen so that no early fill is missed. */
    public void ensureOpen(Duration wait) {
        synchronized (this) {
            if (stream == null) {
                stream = client.tradeUpdates(new TradeUpdatesStream.Listener() {
                    @Override
                    public void onUpdate(TradeUpdate update) {
                        if (update.order() != null && update.order().clientOrderId() != null) {
                            latest.merge(update.order().clientOrderId(), update.order(),
                                    (old, now) -> newer(now, old) ? now : old);
                            changed();
                        }
                    }

                    @Override
                    public void onConnected() {
                        connected = true;
                        changed();
                    }

                    @Override
                    public void onDisconnected(String reason) {
                        connected = false;
                        LOG.infof("trade_updates down (%s): polling open orders meanwhile", reason);
                        changed();
                    }
                });
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (signal) {
            while (!connected && System.nanoTime() < deadline) {
                waitOn(Duration.ofNanos(deadline - System.nanoTime()));
            }
        }
    }

    public boolean connected() {
        return connected;
    }

    public Optional<Order> latest(String clientOrderId) {
        return Optional.ofNullable(latest.get(clientOrderId));
    }

    /** A counter that moves whenever something arrives; pass it to {@link #awaitChange} to miss nothing between. */
    public long version() {
        synchronized (signal) {
            return version;
        }
    }

    /** Waits until something arrives after {@code seen}, or the time is up. */
    public void awaitChange(long seen, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        synchronized (signal) {
            while (version == seen && System.nanoTime() < deadline) {
                waitOn(Duration.ofNanos(deadline - System.nanoTime()));
            }
        }
    }

    private void waitOn(Duration duration) {
        try {
            signal.wait(Math.max(1, duration.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for trade updates", e);
        }
    }

    private void changed() {
        synchronized (signal) {
            version++;
            signal.notifyAll();
        }
    }

    private static boolean newer(Order candidate, Order current) {
        if (current.isTerminal()) {
            return false;
        }
        return current.updatedAt() == null || candidate.updatedAt() == null
                || !candidate.updatedAt().isBefore(current.updatedAt());
    }

    @Override
    public synchronized void close() {
        if (stream != null) {
            stream.close();
            stream = null;
        }
    }
}
