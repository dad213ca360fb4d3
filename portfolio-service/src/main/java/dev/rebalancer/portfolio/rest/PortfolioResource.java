package dev.rebalancer.portfolio.rest;

import dev.rebalancer.portfolio.book.PortfolioBook;
import dev.rebalancer.portfolio.book.Views;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;

/** {@code /v1/rebalancing/portfolios}, in Alpaca's shapes. */
@Path("/v1/rebalancing/portfolios")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class PortfolioResource {

    private final PortfolioBook portfolios;

    PortfolioResource(PortfolioBook portfolios) {
        this.portfolios = portfolios;
    }

    @GET
    public List<Views.Portfolio> list(@QueryParam("name") String name, @QueryParam("description") String description,
            @QueryParam("symbol") String symbol, @QueryParam("portfolio_id") String portfolioId,
            @QueryParam("status") String status) {
        return portfolios.list(name, description, symbol, portfolioId, status);
    }

    @POST
    public Views.Portfolio create(String body) {
        return portfolios.create(RequestBodies.forCreate(ApiJson.read(body)));
    }

    @GET
    @Path("/{portfolio_id}")
    public Views.Portfolio get(@PathParam("portfolio_id") String id) {
        return portfolios.get(Ids.uuid(id, "portfolio"));
    }

    @PATCH
    @Path("/{portfolio_id}")
    public Views.Portfolio update(@PathParam("portfolio_id") String id, String body) {
        UUID portfolioId = Ids.uuid(id, "portfolio");
        var patch = RequestBodies.forPatch(ApiJson.read(body));
        return Conflicts.retried(() -> portfolios.update(portfolioId, patch));
    }

    /**
     * The portfolio's opt-in strategies, beside Alpaca's portfolio shape; they are set by {@code strategies} in the
     * body of a POST or PATCH of the portfolio.
     */
    @GET
    @Path("/{portfolio_id}/strategies")
    public Views.PortfolioStrategies strategies(@PathParam("portfolio_id") String id) {
        return portfolios.strategies(Ids.uuid(id, "portfolio"));
    }

    @DELETE
    @Path("/{portfolio_id}")
    public Response archive(@PathParam("portfolio_id") String id) {
        var portfolioId = Ids.uuid(id, "portfolio");
        Conflicts.retried(() -> portfolios.archive(portfolioId));
        return Response.noContent().build();
    }
}
