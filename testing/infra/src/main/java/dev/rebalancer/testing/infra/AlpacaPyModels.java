package dev.rebalancer.testing.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * alpaca-py's rebalancing models (its official Python SDK: {@code alpaca/broker/models/rebalancing.py},
 * {@code alpaca/trading/models.py} {@code Order}, the enums of {@code alpaca/broker/enums.py} and
 * {@code alpaca/trading/enums.py}) as a test oracle: an answer passes when the SDK's pydantic models would parse it
 * — every field without a default present, each value of the type pydantic accepts in its default (lax) mode, every
 * enum value one the SDK knows. A text field takes only a JSON string (pydantic does not turn numbers into text); an
 * int an integer; a float a number or a numeric string; a UUID or datetime a string that parses as one. Fields the
 * SDK does not know are ignored, as pydantic ignores them.
 */
public final class AlpacaPyModels {

    private static final ObjectMapper JSON = new ObjectMapper();

    private sealed interface Kind permits Scalar, OneOf, ListOf, Model {
    }

    private enum Scalar implements Kind { STR, INT, FLOAT, BOOL, UUID, DATETIME, STR_OR_FLOAT }

    private record OneOf(String name, Set<String> values) implements Kind {
    }

    private record ListOf(Kind item) implements Kind {
    }

    /** A pydantic model: its fields, each required (no default) or not, nullable (Optional) or not. */
    public record Model(String name, List<Field> fields) implements Kind {
    }

    private record Field(String name, boolean required, boolean nullable, Kind kind) {
    }

    private static Field required(String name, Kind kind) {
        return new Field(name, true, false, kind);
    }

    /** {@code Optional[...]} without a default: the key must be there, its value may be null. */
    private static Field requiredNullable(String name, Kind kind) {
        return new Field(name, true, true, kind);
    }

    private static Field optional(String name, Kind kind) {
        return new Field(name, false, true, kind);
    }

    private static OneOf oneOf(String name, String... values) {
        return new OneOf(name, Set.of(values));
    }

    static final OneOf WEIGHT_TYPE = oneOf("WeightType", "cash", "asset");
    static final OneOf CONDITION_TYPE = oneOf("RebalancingConditionsType", "drift_band", "calendar");
    static final OneOf CONDITION_SUB_TYPE = oneOf("DriftBandSubType | CalendarSubType", "absolute", "relative",
            "weekly", "monthly", "quarterly", "annually");
    static final OneOf PORTFOLIO_STATUS = oneOf("PortfolioStatus", "active", "inactive", "needs_adjustment");
    static final OneOf RUN_TYPE = oneOf("RunType", "full_rebalance", "invest_cash");
    static final OneOf RUN_INITIATED_FROM = oneOf("RunInitiatedFrom", "system", "api");
    static final OneOf RUN_STATUS = oneOf("RunStatus", "QUEUED", "IN_PROGRESS", "CANCELED", "CANCELED_MID_RUN", "ERROR",
            "TIMEOUT", "COMPLETED_SUCCESS", "COMPLETED_ADJUSTED");
    static final OneOf ORDER_STATUS = oneOf("OrderStatus", "new", "partially_filled", "filled", "done_for_day",
            "canceled", "expired", "replaced", "pending_cancel", "pending_replace", "pending_review", "accepted",
            "pending_new", "accepted_for_bidding", "stopped", "rejected", "suspended", "calculated", "held");
    static final OneOf ORDER_SIDE = oneOf("OrderSide", "buy", "sell");
    static final OneOf ORDER_TYPE = oneOf("OrderType", "market", "limit", "stop", "stop_limit", "trailing_stop");
    static final OneOf ORDER_CLASS = oneOf("OrderClass", "simple", "bracket", "oco", "oto", "mleg", "");
    static final OneOf TIME_IN_FORCE = oneOf("TimeInForce", "day", "gtc", "opg", "cls", "ioc", "fok");
    static final OneOf ASSET_CLASS = oneOf("AssetClass", "us_equity", "us_option", "crypto");
    static final OneOf POSITION_INTENT = oneOf("PositionIntent", "buy_to_open", "buy_to_close", "sell_to_open",
            "sell_to_close");

    public static final Model WEIGHT = new Model("Weight", List.of(
            required("type", WEIGHT_TYPE), optional("symbol", Scalar.STR), required("percent", Scalar.FLOAT)));

    public static final Model REBALANCING_CONDITIONS = new Model("RebalancingConditions", List.of(
            required("type", CONDITION_TYPE), required("sub_type", CONDITION_SUB_TYPE),
            optional("percent", Scalar.FLOAT), optional("day", Scalar.STR)));

    public static final Model PORTFOLIO = new Model("Portfolio", List.of(
            required("id", Scalar.UUID), required("name", Scalar.STR), required("description", Scalar.STR),
            required("status", PORTFOLIO_STATUS), required("cooldown_days", Scalar.INT),
            required("created_at", Scalar.DATETIME), required("updated_at", Scalar.DATETIME),
            required("weights", new ListOf(WEIGHT)),
            optional("rebalance_conditions", new ListOf(REBALANCING_CONDITIONS))));

    public static final Model SUBSCRIPTION = new Model("Subscription", List.of(
            required("id", Scalar.UUID), required("account_id", Scalar.UUID), required("portfolio_id", Scalar.UUID),
            required("created_at", Scalar.DATETIME), optional("last_rebalanced_at", Scalar.DATETIME)));

    public static final Model SKIPPED_ORDER = new Model("SkippedOrder", List.of(
            required("symbol", Scalar.STR), optional("side", Scalar.STR), optional("notional", Scalar.STR),
            optional("currency", Scalar.STR), required("reason", Scalar.STR), required("reason_details", Scalar.STR)));

    public static final Model ORDER = new Model("Order", List.of(
            optional("id", Scalar.UUID), optional("client_order_id", Scalar.STR),
            optional("created_at", Scalar.DATETIME), optional("updated_at", Scalar.DATETIME),
            optional("submitted_at", Scalar.DATETIME), optional("filled_at", Scalar.DATETIME),
            optional("expired_at", Scalar.DATETIME), optional("expires_at", Scalar.DATETIME),
            optional("canceled_at", Scalar.DATETIME), optional("failed_at", Scalar.DATETIME),
            optional("replaced_at", Scalar.DATETIME), optional("replaced_by", Scalar.UUID),
            optional("replaces", Scalar.UUID), optional("asset_id", Scalar.UUID), optional("symbol", Scalar.STR),
            optional("asset_class", ASSET_CLASS), requiredNullable("notional", Scalar.STR),
            optional("qty", Scalar.STR_OR_FLOAT), optional("filled_qty", Scalar.STR_OR_FLOAT),
            optional("filled_avg_price", Scalar.STR_OR_FLOAT), optional("order_class", ORDER_CLASS),
            optional("order_type", ORDER_TYPE), required("type", ORDER_TYPE), optional("side", ORDER_SIDE),
            required("time_in_force", TIME_IN_FORCE), optional("limit_price", Scalar.STR_OR_FLOAT),
            optional("stop_price", Scalar.STR_OR_FLOAT), optional("status", ORDER_STATUS),
            optional("extended_hours", Scalar.BOOL), optional("trail_percent", Scalar.STR),
            optional("trail_price", Scalar.STR), optional("hwm", Scalar.STR),
            optional("position_intent", POSITION_INTENT)));

    public static final Model REBALANCING_RUN = new Model("RebalancingRun", List.of(
            required("id", Scalar.UUID), required("account_id", Scalar.UUID), required("type", RUN_TYPE),
            optional("amount", Scalar.STR), required("portfolio_id", Scalar.UUID),
            required("weights", new ListOf(WEIGHT)), optional("initiated_from", RUN_INITIATED_FROM),
            required("created_at", Scalar.DATETIME), required("updated_at", Scalar.DATETIME),
            optional("completed_at", Scalar.DATETIME), optional("canceled_at", Scalar.DATETIME),
            required("status", RUN_STATUS), optional("reason", Scalar.STR), optional("orders", new ListOf(ORDER)),
            optional("failed_orders", new ListOf(ORDER)), optional("skipped_orders", new ListOf(SKIPPED_ORDER))));

    private AlpacaPyModels() {
    }

    /** Fails, naming every field the SDK would refuse, unless {@code body} parses as {@code model}. */
    public static void assertParses(Model model, String body) {
        List<String> errors = new ArrayList<>();
        check(model, read(body), model.name(), errors);
        fail(errors, model.name(), body);
    }

    /** Fails unless {@code body} is a JSON array of which every element parses as {@code model}. */
    public static void assertParsesList(Model model, String body) {
        List<String> errors = new ArrayList<>();
        check(new ListOf(model), read(body), "List[" + model.name() + "]", errors);
        fail(errors, "List[" + model.name() + "]", body);
    }

    /**
     * Fails unless {@code body} is a page as the SDK walks them ({@code items} under {@code key}, and
     * {@code next_page_token} present, a text or null) with every item parsing as {@code model}.
     */
    public static void assertParsesPage(Model model, String key, String body) {
        List<String> errors = new ArrayList<>();
        JsonNode page = read(body);
        if (!page.has("next_page_token")) {
            errors.add("next_page_token: missing (the SDK reads it to know whether to fetch another page)");
        } else if (!page.get("next_page_token").isNull() && !page.get("next_page_token").isTextual()) {
            errors.add("next_page_token: must be a text or null, got " + page.get("next_page_token"));
        }
        check(new ListOf(model), page.path(key), key, errors);
        fail(errors, "page of " + model.name(), body);
    }

    private static void check(Kind kind, JsonNode value, String path, List<String> errors) {
        if (kind instanceof Model model) {
            if (!value.isObject()) {
                errors.add(path + ": must be an object, got " + value);
                return;
            }
            for (Field field : model.fields()) {
                String at = path + "." + field.name();
                JsonNode child = value.get(field.name());
                if (child == null) {
                    if (field.required()) {
                        errors.add(at + ": missing (the SDK's " + model.name() + " requires it)");
                    }
                } else if (child.isNull()) {
                    if (!field.nullable()) {
                        errors.add(at + ": null, but the SDK's " + model.name() + " does not allow null");
                    }
                } else {
                    check(field.kind(), child, at, errors);
                }
            }
        } else if (kind instanceof ListOf list) {
            if (!value.isArray()) {
                errors.add(path + ": must be a list, got " + value);
                return;
            }
            for (int i = 0; i < value.size(); i++) {
                check(list.item(), value.get(i), path + "[" + i + "]", errors);
            }
        } else if (kind instanceof OneOf oneOf) {
            if (!value.isTextual() || !oneOf.values().contains(value.asText())) {
                errors.add(path + ": " + value + " is not a " + oneOf.name() + " the SDK knows " + oneOf.values());
            }
        } else if (!accepts((Scalar) kind, value)) {
            errors.add(path + ": " + value + " is not a valid " + ((Scalar) kind).name().toLowerCase()
                    + " for the SDK");
        }
    }

    private static boolean accepts(Scalar scalar, JsonNode value) {
        return switch (scalar) {
            case STR -> value.isTextual();
            case INT -> value.isIntegralNumber() || value.isTextual() && value.asText().matches("-?\\d+");
            case FLOAT -> value.isNumber() || value.isTextual() && isNumber(value.asText());
            case STR_OR_FLOAT -> value.isTextual() || value.isNumber();
            case BOOL -> value.isBoolean();
            case UUID -> value.isTextual() && isUuid(value.asText());
            case DATETIME -> value.isTextual() && isDateTime(value.asText());
        };
    }

    private static boolean isNumber(String text) {
        try {
            new BigDecimal(text.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isUuid(String text) {
        try {
            return UUID.fromString(text).toString().equalsIgnoreCase(text);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean isDateTime(String text) {
        try {
            OffsetDateTime.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    private static void fail(List<String> errors, String what, String body) {
        if (!errors.isEmpty()) {
            throw new AssertionError("alpaca-py could not parse this " + what + ":\n  " + String.join("\n  ", errors)
                    + "\nanswer: " + body);
        }
    }
}
