package dev.rebalancer.portfolio.rest;

import dev.rebalancer.portfolio.book.SubscriptionBook;
import dev.rebalancer.portfolio.book.Views;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code /v1/rebalancing/subscriptions}, in Alpaca's shapes. */
@Path("/v1/rebalancing/subscriptions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class SubscriptionResource {

    private final SubscriptionBook subscriptions;

    SubscriptionResource(SubscriptionBook subscriptions) {
        this.subscriptions = subscriptions;
    }

    @GET
    public Views.Subscriptions list(@QueryParam("account_id") String accountId,
            @QueryParam("portfolio_id") String portfolioId, @QueryParam("page_token") String pageToken,
            @QueryParam("limit") String limit) {
        return subscriptions.list(accountId, portfolioId, pageToken, limit);
    }

    @POST
    public Views.Subscription create(String body) {
        RequestBodies.NewSubscription request = RequestBodies.subscription(ApiJson.read(body));
        return subscriptions.create(request.accountId(), request.portfolioId());
    }

    @GET
    @Path("/{subscription_id}")
    public Views.Subscription get(@PathParam("subscription_id") String id) {
        return subscriptions.get(Ids.uuid(id, "subscription"));
    }

    @DELETE
    @Path("/{subscription_id}")
    public Response delete(@PathParam("subscription_id") String id) {
        var subscriptionId = Ids.uuid(id, "subscription");
        Conflicts.retried(() -> subscriptions.delete(subscriptionId));
        return Response.noContent().build();
    }
}
