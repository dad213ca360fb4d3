package dev.rebalancer.portfolio.rest;

import dev.rebalancer.portfolio.alpaca.AlpacaHealth;
import dev.rebalancer.portfolio.book.DriftView;
import dev.rebalancer.portfolio.book.Views;
import dev.rebalancer.portfolio.persistence.AccountEntity;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/** {@code /v1/accounts}: the managed accounts, their mode, dry-run flag and latest snapshot; never a secret. */
@Path("/v1/accounts")
@Produces(MediaType.APPLICATION_JSON)
public class AccountResource {

    private final DriftView drift;
    private final AlpacaHealth health;
    private final dev.rebalancer.portfolio.book.RunBook runs;

    private final dev.rebalancer.portfolio.book.DeferralBook deferrals;

    AccountResource(DriftView drift, AlpacaHealth health, dev.rebalancer.portfolio.book.RunBook runs,
            dev.rebalancer.portfolio.book.DeferralBook deferrals) {
        this.deferrals = deferrals;
        this.drift = drift;
        this.health = health;
        this.runs = runs;
    }

    /**
     * {@code GET /v1/accounts/{account_id}/harvested-losses?year=2026}: the losses its tax_loss_harvest runs realised
     * in the year (New York time; this year when not given), in total and harvest by harvest.
     */
    @GET
    @Path("/{account_id}/harvested-losses")
    public Views.HarvestedLosses harvestedLosses(@PathParam("account_id") String id,
            @jakarta.ws.rs.QueryParam("year") String year) {
        return runs.harvestedLosses(id, year);
    }

    /**
     * {@code GET /v1/accounts/{account_id}/deferrals}: the automatic rebalances the volatility filter deferred, newest
     * first (the latest 100), each with the reading that held it back; 404 for an account that is not managed.
     */
    @GET
    @Path("/{account_id}/deferrals")
    public List<Views.Deferral> deferrals(@PathParam("account_id") String id) {
        return deferrals.of(id);
    }

    @GET
    @Transactional
    public List<Views.Account> list() {
        return AccountEntity.<AccountEntity>listAll().stream().map(this::view).toList();
    }

    @GET
    @Path("/{account_id}")
    @Transactional
    public Views.Account get(@PathParam("account_id") String id) {
        AccountEntity account = AccountEntity.findById(id);
        if (account == null) {
            throw ApiException.notFound("account not found: " + id);
        }
        return view(account);
    }

    /**
     * {@code GET /v1/accounts/{account_id}/drift}: each weight's current and target percent of equity, its drift, the
     * deviation its bands allow and whether it is past them, from the latest snapshot; 404 for an account that is
     * not managed, has no active subscription or no snapshot yet.
     */
    @GET
    @Path("/{account_id}/drift")
    public Views.Drift drift(@PathParam("account_id") String id) {
        return drift.of(id);
    }

    private Views.Account view(AccountEntity a) {
        return new Views.Account(a.accountId, a.name, a.accountNumber, a.mode, a.dryRun, a.baseUrl, a.snapshot,
                a.snapshotAt, health.reachable(a.name));
    }
}
