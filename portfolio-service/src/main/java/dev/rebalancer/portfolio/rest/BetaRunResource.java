package dev.rebalancer.portfolio.rest;

import dev.rebalancer.portfolio.book.RunBook;
import jakarta.ws.rs.Path;

/**
 * {@code /v1/beta/rebalancing/runs}: the path Alpaca's rebalancing runs had while the API was in beta, which clients
 * written then still call. The same endpoints as {@link RunResource}.
 */
@Path("/v1/beta/rebalancing/runs")
public class BetaRunResource extends RunResource {

    BetaRunResource(RunBook runs) {
        super(runs);
    }
}
