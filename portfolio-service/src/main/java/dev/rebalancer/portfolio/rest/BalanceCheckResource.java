package dev.rebalancer.portfolio.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.model.CalendarDay;
import dev.rebalancer.portfolio.alpaca.BalanceChecks;
import dev.rebalancer.portfolio.book.Views;
import dev.rebalancer.portfolio.domain.InvalidInput;
import dev.rebalancer.portfolio.domain.Refusal;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * {@code POST /v1/balance-checks}: the daily balance check, now, for every account: {@code {"trading_day":
 * "2026-12-03"}} (default: today in New York) is the day the snapshot is kept for. A day checked before is not checked
 * again: its findings are answered.
 */
@Path("/v1/balance-checks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class BalanceCheckResource {

    private final BalanceChecks checks;

    BalanceCheckResource(BalanceChecks checks) {
        this.checks = checks;
    }

    @POST
    public Views.BalanceCheck run(String body) {
        LocalDate day = LocalDate.now(CalendarDay.NEW_YORK);
        if (body != null && !body.isBlank()) {
            JsonNode json = ApiJson.read(body);
            RequestFields.requireObject(json);
            if (json.hasNonNull("trading_day")) {
                String text = RequestFields.requiredText(json, "trading_day");
                try {
                    day = LocalDate.parse(text);
                } catch (DateTimeParseException e) {
                    throw new InvalidInput("trading_day", "must be a date as 2026-12-03, not \"" + text + "\"");
                }
            }
        }
        try {
            return checks.run(day);
        } catch (AlpacaException e) {
            throw Refusal.unavailable("Alpaca did not answer for the balance check; ask again (accounts checked "
                    + "already answer what they found): " + e.getMessage());
        }
    }
}
