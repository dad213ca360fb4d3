package dev.rebalancer.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneId;

/**
 * Renders the simulator's state in Alpaca's JSON shapes, field for field as Alpaca documents them, including the
 * fields that are null (Alpaca sends them). Numbers are strings, as Alpaca sends them.
 */
final class SimJson {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    private static final java.time.format.DateTimeFormatter HOURS_MINUTES =
            java.time.format.DateTimeFormatter.ofPattern("HH:mm");

    private SimJson() {
    }

    static String money(BigDecimal value) {
        return value.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    static String quantity(BigDecimal value) {
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }

    static String time(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    static ObjectNode account(SimAccount account, BigDecimal longMarketValue, BigDecimal buyingPower,
            BigDecimal nonMarginableBuyingPower) {
        BigDecimal equity = account.cash.add(longMarketValue);
        ObjectNode json = MAPPER.createObjectNode();
        json.put("id", account.id);
        json.put("account_number", account.accountNumber);
        json.put("status", "ACTIVE");
        json.put("crypto_status", "INACTIVE");
        json.put("currency", "USD");
        json.put("buying_power", money(buyingPower));
        json.put("regt_buying_power", money(buyingPower));
        json.put("daytrading_buying_power", "0");
        json.put("effective_buying_power", money(buyingPower));
        json.put("non_marginable_buying_power", money(nonMarginableBuyingPower));
        json.put("bod_dtbp", "0");
        json.put("cash", money(account.cash));
        json.put("accrued_fees", "0");
        json.put("pending_transfer_in", "0");
        json.put("portfolio_value", money(equity));
        json.put("pattern_day_trader", account.patternDayTrader);
        json.put("trading_blocked", false);
        json.put("transfers_blocked", false);
        json.put("account_blocked", false);
        json.put("created_at", time(account.createdAt));
        json.put("trade_suspended_by_user", false);
        json.put("multiplier", account.multiplier.toPlainString());
        json.put("shorting_enabled", false);
        json.put("equity", money(equity));
        json.put("last_equity", money(equity));
        json.put("long_market_value", money(longMarketValue));
        json.put("short_market_value", "0");
        json.put("position_market_value", money(longMarketValue));
        json.put("initial_margin", "0");
        json.put("maintenance_margin", "0");
        json.put("last_maintenance_margin", "0");
        json.put("sma", "0");
        json.put("daytrade_count", account.daytradeCount);
        json.put("balance_asof", Instant.now().atZone(NEW_YORK).toLocalDate().toString());
        return json;
    }

    static ObjectNode position(SimAsset asset, SimAccount.Holding holding, BigDecimal heldForOrders) {
        BigDecimal marketValue = holding.qty.multiply(asset.price);
        BigDecimal avgEntry = holding.qty.signum() == 0 ? BigDecimal.ZERO
                : holding.costBasis.divide(holding.qty, 4, RoundingMode.HALF_UP);
        BigDecimal unrealized = marketValue.subtract(holding.costBasis);
        ObjectNode json = MAPPER.createObjectNode();
        json.put("asset_id", asset.id);
        json.put("symbol", asset.symbol);
        json.put("exchange", asset.exchange);
        json.put("asset_class", "us_equity");
        json.put("asset_marginable", true);
        json.put("qty", quantity(holding.qty));
        json.put("qty_available", quantity(holding.qty.subtract(heldForOrders)));
        json.put("avg_entry_price", avgEntry.stripTrailingZeros().toPlainString());
        json.put("side", "long");
        json.put("market_value", money(marketValue));
        json.put("cost_basis", money(holding.costBasis));
        String unrealizedShare = holding.costBasis.signum() == 0 ? "0"
                : unrealized.divide(holding.costBasis, 8, RoundingMode.HALF_UP).toPlainString();
        json.put("unrealized_pl", money(unrealized));
        json.put("unrealized_plpc", unrealizedShare);
        // Prices do not move within a simulated day: intraday is the whole of it.
        json.put("unrealized_intraday_pl", money(unrealized));
        json.put("unrealized_intraday_plpc", unrealizedShare);
        // Without a quote Alpaca has no current price; the market value stays as last computed.
        json.put("current_price", asset.quoted ? asset.price.toPlainString() : null);
        json.put("lastday_price", asset.quoted ? asset.price.toPlainString() : null);
        json.put("change_today", "0");
        return json;
    }

    static ObjectNode order(SimOrder order) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("id", order.id);
        json.put("client_order_id", order.clientOrderId);
        json.put("created_at", time(order.createdAt));
        json.put("updated_at", time(order.updatedAt));
        json.put("submitted_at", time(order.createdAt));
        json.put("filled_at", time(order.filledAt));
        json.put("expired_at", time(order.expiredAt));
        json.put("canceled_at", time(order.canceledAt));
        json.put("failed_at", time(order.failedAt));
        json.putNull("replaced_at");
        json.putNull("replaced_by");
        json.putNull("replaces");
        json.put("asset_id", order.asset.id);
        json.put("symbol", order.asset.symbol);
        json.put("asset_class", "us_equity");
        json.put("notional", order.notional == null ? null : order.notional.toPlainString());
        json.put("qty", order.qty == null ? null : quantity(order.qty));
        json.put("filled_qty", quantity(order.filledQty));
        json.put("filled_avg_price", order.filledAvgPrice == null ? null : order.filledAvgPrice.toPlainString());
        json.put("order_class", "simple");
        json.put("order_type", order.type);
        json.put("type", order.type);
        json.put("side", order.side);
        json.put("position_intent", order.isBuy() ? "buy_to_open" : "sell_to_close");
        json.put("time_in_force", order.timeInForce);
        json.putNull("limit_price");
        json.putNull("stop_price");
        json.put("status", order.status);
        json.put("extended_hours", false);
        json.putNull("legs");
        json.putNull("trail_percent");
        json.putNull("trail_price");
        json.putNull("hwm");
        json.putNull("subtag");
        json.putNull("source");
        json.put("expires_at", time(order.expiresAt));
        return json;
    }

    static ObjectNode activity(SimActivity activity) {
        ObjectNode json = MAPPER.createObjectNode();
        if (activity.fill() != null) {
            // A trade activity, in Alpaca's TradingActivities shape.
            SimActivity.Fill fill = activity.fill();
            json.put("id", activity.id());
            json.put("activity_type", "FILL");
            json.put("transaction_time", time(activity.createdAt()));
            json.put("type", fill.fillType());
            json.put("price", fill.price().stripTrailingZeros().toPlainString());
            json.put("qty", fill.qty().stripTrailingZeros().toPlainString());
            json.put("side", fill.side());
            json.put("symbol", fill.symbol());
            json.put("leaves_qty", fill.leavesQty().stripTrailingZeros().toPlainString());
            json.put("cum_qty", fill.cumQty().stripTrailingZeros().toPlainString());
            json.put("order_id", fill.orderId());
            json.put("order_status", fill.orderStatus());
            return json;
        }
        json.put("id", activity.id());
        json.put("activity_type", activity.type());
        json.put("date", activity.createdAt().atZone(NEW_YORK).toLocalDate().toString());
        json.put("created_at", time(activity.createdAt()));
        json.put("net_amount", activity.amount().toPlainString());
        json.put("currency", "USD");
        json.put("description", "");
        json.put("status", activity.status());
        // A cash movement has no symbol, qty, per-share amount, sub-type or group: Alpaca leaves them out.
        return json;
    }

    static ObjectNode asset(SimAsset asset) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("id", asset.id);
        json.put("class", "us_equity");
        json.put("exchange", asset.exchange);
        json.put("symbol", asset.symbol);
        json.put("name", asset.symbol);
        json.put("status", asset.status);
        json.put("tradable", asset.tradable);
        json.put("marginable", true);
        json.put("maintenance_margin_requirement", 30);
        json.put("shortable", true);
        json.put("easy_to_borrow", true);
        json.put("fractionable", asset.fractionable);
        json.set("attributes", MAPPER.createArrayNode());
        return json;
    }

    static ObjectNode clock(Instant now, boolean open, Instant nextOpen, Instant nextClose) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("timestamp", now.atZone(NEW_YORK).toOffsetDateTime().toString());
        json.put("is_open", open);
        json.put("next_open", nextOpen.atZone(NEW_YORK).toOffsetDateTime().toString());
        json.put("next_close", nextClose.atZone(NEW_YORK).toOffsetDateTime().toString());
        return json;
    }

    static ObjectNode calendarDay(java.time.LocalDate day, java.time.LocalTime open, java.time.LocalTime close,
            java.time.LocalDate settles) {
        ObjectNode json = MAPPER.createObjectNode();
        json.put("date", day.toString());
        json.put("open", open.format(HOURS_MINUTES));
        json.put("close", close.format(HOURS_MINUTES));
        json.put("session_open", "0400");
        json.put("session_close", "2000");
        json.put("settlement_date", settles.toString());
        return json;
    }

    static ObjectNode error(SimError error) {
        ObjectNode json = MAPPER.createObjectNode();
        error.extra.forEach(json::put);
        json.put("code", error.code);
        json.put("message", error.getMessage());
        return json;
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }
}
