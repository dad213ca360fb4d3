package dev.rebalancer.sim;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The simulator started inside any JVM — a test, a benchmark — on its own Vert.x instance, bound to loopback.
 * Port 0 picks a free port.
 */
public final class AlpacaSimServer implements AutoCloseable {

    private final Vertx vertx;
    private final HttpServer server;
    private final SimBroker broker;

    private AlpacaSimServer(Vertx vertx, HttpServer server, SimBroker broker) {
        this.vertx = vertx;
        this.server = server;
        this.broker = broker;
    }

    public static AlpacaSimServer start(int port) {
        Vertx vertx = Vertx.vertx();
        SimBroker broker = new SimBroker();
        Router router = Router.router(vertx);
        SimRoutes.register(router, broker);
        try {
            HttpServer server = vertx.createHttpServer().requestHandler(router).listen(port, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return new AlpacaSimServer(vertx, server, broker);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            vertx.close();
            throw new IllegalStateException("interrupted while starting the simulator", e);
        } catch (ExecutionException | TimeoutException e) {
            vertx.close();
            throw new IllegalStateException("could not start the simulator on port " + port, e);
        }
    }

    public int port() {
        return server.actualPort();
    }

    /** What a client uses as its Alpaca base URL. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port());
    }

    public SimAdminClient admin() {
        return new SimAdminClient(baseUrl());
    }

    @Override
    public void close() {
        broker.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the simulator did not stop cleanly", e);
        }
    }
}
