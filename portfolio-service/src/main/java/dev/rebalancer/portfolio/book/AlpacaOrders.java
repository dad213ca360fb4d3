package dev.rebalancer.portfolio.book;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebalancer.contracts.EventJson;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.SkippedOrder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A run's orders as Alpaca's Trading API returns order objects, field for field, and its skipped orders as Alpaca's
 * rebalancer lists them: what clients of Alpaca's rebalancer parse. Every order the executor sends is a simple
 * market day order for a US equity. An order Alpaca refused at the POST has no Alpaca object; it gets an id derived
 * from its client order id, status {@code rejected} and {@code failed_at} (also its created and submitted time: when
 * the POST was refused). Fields Alpaca types as nullable are present as {@code null}; those it types as non-null
 * strings are left out when unknown. Beside Alpaca's fields, a failed order carries Alpaca's message in
 * {@code reason}.
 */
final class AlpacaOrders {

    private AlpacaOrders() {
    }

    static String orders(List<RunOrder> orders) {
        ArrayNode json = EventJson.mapper().createArrayNode();
        orders.forEach(o -> json.add(order(o)));
        return json.toString();
    }

    static String skipped(List<SkippedOrder> skipped) {
        ArrayNode json = EventJson.mapper().createArrayNode();
        for (SkippedOrder s : skipped) {
            ObjectNode order = json.addObject();
            order.put("symbol", s.symbol());
            order.set("side", side(s.side()));
            if (s.notional() != null) {
                order.put("notional", money(s.notional()));
            }
            order.put("currency", s.currency() == null ? "USD" : s.currency());
            order.put("reason", s.reason());
            order.put("reason_details", s.reasonDetails());
        }
        return json.toString();
    }

    /** The id of an order Alpaca refused at the POST: derived from its client order id, the same every time. */
    static String refusedOrderId(String clientOrderId) {
        return UUID.nameUUIDFromBytes(("refused-order:" + clientOrderId).getBytes(StandardCharsets.UTF_8)).toString();
    }

    static ObjectNode order(RunOrder o) {
        boolean refused = o.id() == null;
        String status = refused ? "rejected" : o.status();
        Instant created = first(o.createdAt(), o.submittedAt(), o.failedAt());
        ObjectNode json = EventJson.mapper().createObjectNode();
        json.put("id", refused ? refusedOrderId(o.clientOrderId()) : o.id());
        json.put("client_order_id", o.clientOrderId());
        time(json, "created_at", created, false);
        time(json, "updated_at", first(o.updatedAt(), o.failedAt(), created), false);
        time(json, "submitted_at", first(o.submittedAt(), created), false);
        time(json, "filled_at", o.filledAt(), true);
        time(json, "expired_at", o.expiredAt(), true);
        time(json, "canceled_at", o.canceledAt(), true);
        time(json, "failed_at", refused ? first(o.failedAt(), created) : o.failedAt(), true);
        json.putNull("replaced_at");
        json.putNull("replaced_by");
        json.putNull("replaces");
        if (o.assetId() != null) {
            json.put("asset_id", o.assetId());
        }
        json.put("symbol", o.symbol());
        json.put("asset_class", "us_equity");
        json.put("notional", o.notional() == null ? null : money(o.notional()));
        json.put("qty", o.qty() == null ? null : quantity(o.qty()));
        json.put("filled_qty", o.filledQty() == null ? "0" : quantity(o.filledQty()));
        json.put("filled_avg_price", o.filledAvgPrice() == null ? null : o.filledAvgPrice().stripTrailingZeros()
                .toPlainString());
        json.put("order_class", "simple");
        json.put("order_type", "market");
        json.put("type", "market");
        json.set("side", side(o.side()));
        json.put("position_intent", switch (o.side()) {
            case BUY -> "buy_to_open";
            case SELL -> "sell_to_close";
            case SELL_SHORT -> "sell_to_open";
        });
        json.put("time_in_force", "day");
        json.putNull("limit_price");
        json.putNull("stop_price");
        json.put("status", status);
        json.put("extended_hours", false);
        json.putNull("legs");
        json.putNull("trail_percent");
        json.putNull("trail_price");
        json.putNull("hwm");
        time(json, "expires_at", o.expiresAt(), false);
        if (o.reason() != null) {
            json.put("reason", o.reason());
        }
        return json;
    }

    private static void time(ObjectNode json, String field, Instant at, boolean nullable) {
        if (at != null) {
            json.put(field, at.toString());
        } else if (nullable) {
            json.putNull(field);
        }
    }

    private static Instant first(Instant... candidates) {
        for (Instant candidate : candidates) {
            if (candidate != null) {
                return candidate;
            }
        }
        return null;
    }

    /** The side as Alpaca spells it: the contract's own spelling of {@link OrderSide}. */
    private static JsonNode side(OrderSide side) {
        return EventJson.mapper().valueToTree(side);
    }

    private static String money(BigDecimal value) {
        return value.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    private static String quantity(BigDecimal value) {
        return value.signum() == 0 ? "0" : value.stripTrailingZeros().toPlainString();
    }
}
