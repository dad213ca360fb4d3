package dev.rebalancer.portfolio.rest;

import dev.rebalancer.portfolio.domain.Paging;
import dev.rebalancer.portfolio.book.TradingHaltBook;
import dev.rebalancer.portfolio.book.Views;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * {@code /v1/trading/halt}: the kill switch. POST engages it with a reason (and {@code cancel_open_orders: true} to
 * cancel the executor's open orders at Alpaca too); DELETE releases it; GET {@code /history} lists every change with
 * the API key that made it, and on whose behalf ({@code requested_by}: the notifier names the Telegram user). A change
 * with an {@code Idempotency-Key} header already used is not made again: the current state is answered.
 */
@Path("/v1/trading/halt")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class TradingHaltResource {

    /** A request header: a change asked again with the same key is made once (the notifier: a Telegram update). */
    public static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    private final TradingHaltBook halt;
    private final SecurityIdentity identity;

    TradingHaltResource(TradingHaltBook halt, SecurityIdentity identity) {
        this.halt = halt;
        this.identity = identity;
    }

    @GET
    public Views.Halt current() {
        return halt.current();
    }

    @GET
    @Path("/history")
    public Views.HaltHistory history(@QueryParam("page_token") String pageToken, @QueryParam("limit") String limit) {
        return halt.history(Paging.of(pageToken, limit));
    }

    @POST
    public Views.Halt engage(String body, @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey) {
        RequestBodies.Halt request = RequestBodies.halt(ApiJson.read(body));
        return halt.engage(request.reason(), request.cancelOpenOrders(), actor(request.requestedBy()),
                RequestBodies.idempotencyKey(idempotencyKey));
    }

    @DELETE
    public Views.Halt release(@QueryParam("reason") String reason, @QueryParam("requested_by") String requestedBy,
            @HeaderParam(IDEMPOTENCY_KEY) String idempotencyKey) {
        return halt.release(reason, actor(RequestBodies.requestedBy(requestedBy)),
                RequestBodies.idempotencyKey(idempotencyKey));
    }

    /** The API key, and on whose behalf its client asked when it says so (the notifier: a Telegram user). */
    private String actor(String requestedBy) {
        String key = "api_key:" + identity.getPrincipal().getName();
        return requestedBy == null ? key : requestedBy + " via " + key;
    }
}
