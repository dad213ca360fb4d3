package dev.rebalancer.drift.rest;

import dev.rebalancer.contracts.WeightDrift;
import dev.rebalancer.drift.config.DriftConfig;
import dev.rebalancer.rules.drift.AccountState;
import dev.rebalancer.rules.drift.Drift;
import dev.rebalancer.rules.drift.DriftRules;
import dev.rebalancer.drift.messaging.DriftStreams;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code GET /v1/accounts/{account_id}/drift}: each weight's drift, from the state store. */
@Path("/v1/accounts/{account_id}/drift")
@Produces(MediaType.APPLICATION_JSON)
public class DriftResource {

    /** One weight: current and target percent of equity, the deviation its bands allow, and whether it is past them. */
    public record WeightView(String type, String symbol, BigDecimal currentPercent, BigDecimal targetPercent,
            BigDecimal driftPercent, BigDecimal bandPercent, boolean breached) {
    }

    public record DriftView(String accountId, String portfolioId, Instant asOf, BigDecimal equity, boolean breached,
            List<WeightView> weights) {
    }

    private final DriftStreams streams;
    private final DriftRules rules;

    DriftResource(DriftStreams streams, DriftConfig config) {
        this.streams = streams;
        this.rules = DriftStreams.rules(config);
    }

    @GET
    public Response drift(@PathParam("account_id") String accountId) {
        AccountState state = streams.account(accountId).orElse(null);
        Drift.Report report = state == null ? null : rules.driftOf(state).orElse(null);
        if (report == null) {
            return Response.status(404).type(MediaType.APPLICATION_JSON_TYPE).entity(Map.of("code", 40410000,
                    "message", "no drift known for account " + accountId + ": it has no subscription or no positions "
                            + "yet, or another instance holds it")).build();
        }
        List<WeightView> weights = report.lines().stream().map(line -> {
            WeightDrift d = line.drift();
            return new WeightView(d.type().name().toLowerCase(java.util.Locale.ROOT), d.symbol(), d.currentPercent(),
                    d.targetPercent(), d.currentPercent().subtract(d.targetPercent()), d.bandPercent(), line.breached());
        }).toList();
        return Response.ok(new DriftView(accountId, state.target().portfolioId(), state.snapshot().occurredAt(),
                state.snapshot().equity(), report.breached(), weights)).build();
    }
}
