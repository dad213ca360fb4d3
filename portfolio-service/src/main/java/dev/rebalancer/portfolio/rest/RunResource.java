package dev.rebalancer.portfolio.rest;

import dev.rebalancer.portfolio.book.RunBook;
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

/** {@code /v1/rebalancing/runs}, in Alpaca's shapes. */
@Path("/v1/rebalancing/runs")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class RunResource {

    private final RunBook runs;

    RunResource(RunBook runs) {
        this.runs = runs;
    }

    @GET
    public Views.Runs list(@QueryParam("account_id") String accountId, @QueryParam("status") String status,
            @QueryParam("type") String type, @QueryParam("page_token") String pageToken,
            @QueryParam("limit") String limit) {
        return runs.list(accountId, status, type, pageToken, limit);
    }

    @POST
    public Views.Run create(String body) {
        return runs.createManual(RequestBodies.manualRun(ApiJson.read(body)));
    }

    @GET
    @Path("/{run_id}")
    public Views.Run get(@PathParam("run_id") String id) {
        return runs.get(id);
    }

    @DELETE
    @Path("/{run_id}")
    public Response cancel(@PathParam("run_id") String id) {
        runs.cancel(id);
        return Response.noContent().build();
    }
}
