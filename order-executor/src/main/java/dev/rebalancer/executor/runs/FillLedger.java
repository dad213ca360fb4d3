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
 * are the record of its fills, written as Alpaca tells them — no second copy to keep in step), and its opening lots:
 * what the account held that those fills do not explain, recorded once, at Alpaca's average entry price, the first
 * time a plan saw it. Read when a run is planned, for the wash-sale guard and the tax lots ({@link Lots}).
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
    public Lots lots(String accountId, Map<String, Held> held) {
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

    private static List<Lots.Fill> fills(Connection c, String accountId) throws SQLException {
        List<Lots.Fill> fills = new ArrayList<>(Transactions.query(c, """
                SELECT o.client_order_id, o.symbol, o.side, o.filled_qty, o.filled_avg_price,
                       COALESCE(o.filled_at, o.updated_at, o.submitted_at) AS at
                FROM run_orders o JOIN runs r ON r.run_id = o.run_id
                WHERE r.account_id = ? AND o.filled_qty > 0 AND o.filled_avg_price IS NOT NULL""",
                row -> new Lots.Fill(row.getString(1), row.getString(2), OrderSide.valueOf(row.getString(3)),
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
