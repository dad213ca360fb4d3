package dev.rebalancer.executor.runs;

import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.rules.planning.Lots;
import dev.rebalancer.runtime.Transactions;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An account's ledger of fills: every order the executor's runs sent, as far as Alpaca filled it (a run's order rows
 * are the record of its fills, written as Alpaca tells them — no second copy to keep in step); Alpaca's {@code FILL}
 * activities of every other order (made elsewhere, a dividend reinvested), read from Alpaca before each plan; and its
 * opening lots: what the account held that all those do not explain, recorded once, at Alpaca's average entry price,
 * the first time a plan saw it. Read when a run is planned, for the wash-sale guard and the tax lots ({@link Lots}).
 */
@ApplicationScoped
public class FillLedger {

    /** What the account holds of a security now, and Alpaca's average entry price for it. */
    public record Held(BigDecimal qty, BigDecimal avgEntryPrice) {
    }

    private final Db db;

    FillLedger(Db db) {
        this.db = db;
    }

    /**
     * The account's lots: its fills, its opening lots, and — recorded now, in the same transaction — an opening lot
     * for what {@code held} shows beyond them.
     */
    public Lots lots(String accountId, Map<String, Held> held, dev.rebalancer.alpaca.AlpacaClient client) {
        readActivities(accountId, client);
        return Lots.of(db.inTransaction(c -> {
            Transactions.one(c, "SELECT pg_advisory_xact_lock(?)", row -> true, ("opening-lots:" + accountId).hashCode());
            List<Lots.Fill> fills = fills(c, accountId);
            Map<String, BigDecimal> net = new LinkedHashMap<>();
            fills.forEach(f -> net.merge(f.symbol(), f.side() == OrderSide.BUY ? f.qty() : f.qty().negate(),
                    BigDecimal::add));
            List<Lots.Fill> all = new ArrayList<>(fills);
            Instant now = Instant.now();
            for (Map.Entry<String, Held> entry : held.entrySet()) {
                String symbol = entry.getKey();
                BigDecimal unexplained = entry.getValue().qty().subtract(net.getOrDefault(symbol, BigDecimal.ZERO));
                // Under a dollar is the rounding of fractional fills, not a purchase made elsewhere.
                if (unexplained.signum() <= 0 || entry.getValue().avgEntryPrice() == null
                        || unexplained.multiply(entry.getValue().avgEntryPrice()).compareTo(BigDecimal.ONE) < 0) {
                    continue;
                }
                Instant at = net.containsKey(symbol) ? now : Instant.EPOCH;
                Transactions.update(c, "INSERT INTO opening_lots (account_id, symbol, qty, price, at) VALUES (?, ?, ?, ?, ?)"
                        + " ON CONFLICT DO NOTHING", accountId, symbol, unexplained, entry.getValue().avgEntryPrice(),
                        java.sql.Timestamp.from(at));
                all.add(opening(symbol, unexplained, entry.getValue().avgEntryPrice(), at));
            }
            return all;
        }));
    }

    /** Alpaca's FILL activities since the last one read, kept (paged through, oldest first; read-only, retried). */
    private void readActivities(String accountId, dev.rebalancer.alpaca.AlpacaClient client) {
        String last = db.oneStatement(c -> Transactions.one(c,
                "SELECT activity_id FROM fill_activities WHERE account_id = ? ORDER BY activity_id DESC LIMIT 1",
                row -> row.getString(1),
                accountId)).orElse(null);
        List<dev.rebalancer.alpaca.model.Activity> fills = client.activitiesAfter(List.of("FILL"), null, last);
        if (fills.isEmpty()) {
            return;
        }
        db.inTransaction(c -> {
            for (dev.rebalancer.alpaca.model.Activity fill : fills) {
                if (fill.symbol() == null || fill.qty() == null || fill.price() == null || fill.side() == null) {
                    continue;
                }
                Instant at = fill.transactionTime() != null ? fill.transactionTime() : fill.createdAt();
                Transactions.update(c, """
                        INSERT INTO fill_activities (account_id, activity_id, order_id, symbol, side, qty, price, at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""", accountId, fill.id(), fill.orderId(),
                        fill.symbol(), fill.side().startsWith("sell") ? "SELL" : "BUY", fill.qty(), fill.price(),
                        java.sql.Timestamp.from(at == null ? Instant.now() : at));
            }
            return null;
        });
    }

    private static List<Lots.Fill> fills(Connection c, String accountId) throws SQLException {
        List<Lots.Fill> fills = new ArrayList<>(Transactions.query(c, """
                SELECT o.client_order_id, o.symbol, o.side, o.filled_qty, o.filled_avg_price,
                       COALESCE(o.filled_at, o.updated_at, o.submitted_at) AS at
                FROM run_orders o JOIN runs r ON r.run_id = o.run_id
                WHERE r.account_id = ? AND o.filled_qty > 0 AND o.filled_avg_price IS NOT NULL""",
                row -> new Lots.Fill(row.getString(1), row.getString(2), OrderSide.valueOf(row.getString(3)),
                        row.getBigDecimal(4), row.getBigDecimal(5), Transactions.instant(row, "at")), accountId));
        // Executions of orders the rebalancer did not send: its own are its order rows above.
        fills.addAll(Transactions.query(c, """
                SELECT f.activity_id, f.symbol, f.side, f.qty, f.price, f.at FROM fill_activities f
                WHERE f.account_id = ? AND NOT EXISTS (SELECT 1 FROM run_orders o JOIN runs r ON r.run_id = o.run_id
                                                       WHERE r.account_id = f.account_id AND o.alpaca_id = f.order_id)""",
                row -> new Lots.Fill("activity:" + row.getString(1), row.getString(2), OrderSide.valueOf(row.getString(3)),
                        row.getBigDecimal(4), row.getBigDecimal(5), Transactions.instant(row, "at")), accountId));
        fills.addAll(Transactions.query(c, "SELECT symbol, qty, price, at FROM opening_lots WHERE account_id = ?",
                row -> opening(row.getString(1), row.getBigDecimal(2), row.getBigDecimal(3),
                        Transactions.instant(row, "at")), accountId));
        return fills;
    }

    private static Lots.Fill opening(String symbol, BigDecimal qty, BigDecimal price, Instant at) {
        return new Lots.Fill("opening:" + symbol + ":" + at, symbol, OrderSide.BUY, qty, price, at);
    }
}
