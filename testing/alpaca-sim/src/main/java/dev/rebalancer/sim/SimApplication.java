package dev.rebalancer.sim;

import io.quarkus.runtime.ShutdownEvent;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** The simulator as a Quarkus application: the same routes on Quarkus's HTTP server, beside /q/health. */
@ApplicationScoped
public class SimApplication {

    private final SimBroker broker = new SimBroker();

    void routes(@Observes Router router) {
        SimRoutes.register(router, broker);
    }

    void stop(@Observes ShutdownEvent event) {
        broker.close();
    }
}
