package dev.rebalancer.portfolio.book;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.portfolio.domain.BalanceReckoning.EndOfDay;
import dev.rebalancer.portfolio.domain.BalanceReckoning.Holding;
import dev.rebalancer.portfolio.messaging.Outbox;
import dev.rebalancer.portfolio.persistence.SubscriptionEntity;
import dev.rebalancer.runtime.Transactions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The end-of-day snapshots the daily balance check keeps, one per account and trading day, written with the check's
 * alert (through the outbox) in one transaction: a day is checked once, whichever instance checks it.
 */
@ApplicationScoped
public class EndOfDayBook {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A kept snapshot: the day, the account then, when it was taken, and what its check found. */
    public record Kept(LocalDate day, EndOfDay endOfDay, Instant takenAt, String outcome, List<String> findings) {
    }

    private final EntityManager entityManager;
    private final Outbox outbox;

    EndOfDayBook(EntityManager entityManager, Outbox outbox) {
        this.entityManager = entityManager;
        this.outbox = outbox;
    }

    /** The snapshot of that day, if the day was checked. */
    @Transactional
    public Optional<Kept> of(String accountId, LocalDate day) {
        return work(c -> Transactions.one(c, SELECT + " WHERE account_id = ? AND trading_day = ?", EndOfDayBook::kept,
                accountId, day));
    }

    /** The newest snapshot before that day. */
    @Transactional
    public Optional<Kept> before(String accountId, LocalDate day) {
        return work(c -> Transactions.one(c, SELECT + " WHERE account_id = ? AND trading_day < ?"
                + " ORDER BY trading_day DESC LIMIT 1", EndOfDayBook::kept, accountId, day));
    }

    /** The symbols of the account's active subscription's portfolio; empty when it has none. */
    @Transactional
    public Optional<Set<String>> targets(String accountId) {
        return SubscriptionEntity.activeFor(accountId).map(s -> Json.weights(PortfolioBook.find(s.portfolioId).weights)
                .stream().map(Weight::symbol).filter(java.util.Objects::nonNull).collect(Collectors.toSet()));
    }

    /**
     * Keeps the day's snapshot and outcome, and raises the alert (when given) with it; false when the day was kept
     * already (another instance checked it): then nothing is alerted.
     */
    @Transactional
    public boolean keep(String accountId, Kept kept, String alertTitle, String alertDetail) {
        boolean fresh = work(c -> Transactions.update(c, """
                INSERT INTO end_of_day (account_id, trading_day, equity, cash, positions, taken_at, outcome, findings)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, trading_day) DO NOTHING""", accountId,
                kept.day(), kept.endOfDay().equity(), kept.endOfDay().cash(), write(kept.endOfDay().holdings()),
                kept.takenAt(), kept.outcome(), write(kept.findings())) == 1);
        if (fresh && alertTitle != null) {
            outbox.alert(Severity.WARNING, accountId, alertTitle, alertDetail);
        }
        return fresh;
    }

    private static final String SELECT = "SELECT trading_day, equity, cash, positions, taken_at, outcome, findings"
            + " FROM end_of_day";

    private static Kept kept(java.sql.ResultSet row) throws SQLException {
        try {
            List<Holding> holdings = JSON.readValue(row.getString("positions"), new TypeReference<List<Holding>>() { });
            List<String> findings = JSON.readValue(row.getString("findings"), new TypeReference<List<String>>() { });
            return new Kept(row.getObject("trading_day", LocalDate.class), new EndOfDay(row.getBigDecimal("equity"),
                    row.getBigDecimal("cash"), holdings), Transactions.instant(row, "taken_at"),
                    row.getString("outcome"), findings);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an unreadable end-of-day snapshot: " + e.getMessage(), e);
        }
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** On the transaction's own connection, through the one JDBC helper. */
    private <T> T work(Transactions.Work<T> work) {
        return entityManager.unwrap(org.hibernate.Session.class).doReturningWork(work::run);
    }
}
