package dev.rebalancer.portfolio.rest;

import dev.rebalancer.portfolio.book.TradingHalt;
import dev.rebalancer.portfolio.book.Views;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** {@code /v1/trading/halt}: the kill switch. POST engages it with a reason; DELETE releases it. */
@Path("/v1/trading/halt")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class TradingHaltResource {

    private final TradingHalt halt;

    TradingHaltResource(TradingHalt halt) {
        this.halt = halt;
    }

    @GET
    public Views.Halt current() {
        return halt.current();
    }

    @POST
    public Views.Halt engage(String body) {
        return halt.engage(ApiJson.read(body));
    }

    @DELETE
    public Views.Halt release(@QueryParam("reason") String reason) {
        return halt.release(reason);
    }
}
