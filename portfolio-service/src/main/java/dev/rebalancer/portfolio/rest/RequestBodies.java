package dev.rebalancer.portfolio.rest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.portfolio.book.RunBook;
import dev.rebalancer.portfolio.domain.InvalidInput;
import dev.rebalancer.portfolio.domain.ManualRun;
import dev.rebalancer.portfolio.domain.PortfolioDraft;
import dev.rebalancer.portfolio.domain.PortfolioPatch;
import dev.rebalancer.contracts.ConditionSubType;
import dev.rebalancer.contracts.ConditionType;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.Strategies;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.contracts.WeightType;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.MonthDay;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Request bodies become typed requests here, at the REST edge; below it nothing sees JSON. Alpaca's rules for
 * portfolios are applied as the body is read, so that each refusal names the field it is about: weights that sum to exactly 100.00, each percent positive
 * with at most two decimals, cash at most once, no symbol twice; drift bands with a sub type and a positive percent;
 * at most one calendar condition with a valid day for its period; a cooldown of zero or more days. Both spellings of
 * the conditions field are accepted, as Alpaca's own documents use both. Whether each symbol is a tradable,
 * fractionable asset is asked of Alpaca by the caller.
 */
final class RequestBodies {

    private static final BigDecimal HUNDRED = new BigDecimal("100");
    private static final Pattern SYMBOL = Pattern.compile("[A-Z][A-Z0-9.\\-/]{0,15}");
    private static final Pattern MONTH_DAY = Pattern.compile("(\\d{2})-(\\d{2})");
    private static final List<String> WEEKDAYS = List.of("Monday", "Tuesday", "Wednesday", "Thursday", "Friday");
    private static final String CONDITIONS = "rebalance_conditions";
    private static final String CONDITIONS_SPEC_SPELLING = "rebalancing_conditions";

    private RequestBodies() {
    }

    /** A whole new portfolio: name, weights and cooldown_days are required. */
    static PortfolioDraft forCreate(JsonNode body) {
        RequestFields.requireObject(body);
        return new PortfolioDraft(
                name(body.get("name")),
                optionalText(body, "description"),
                weights(body.get("weights")),
                conditions(body),
                cooldown(body.get("cooldown_days")),
                strategies(body).orElse(Strategies.NONE));
    }

    /** A change to an existing portfolio: each field the body has, by the rules; the book applies it to the whole. */
    static PortfolioPatch forPatch(JsonNode body) {
        RequestFields.requireObject(body);
        java.util.Set<PortfolioPatch.Field> present = java.util.EnumSet.noneOf(PortfolioPatch.Field.class);
        String name = null;
        if (body.has("name")) {
            name = name(body.get("name"));
            present.add(PortfolioPatch.Field.NAME);
        }
        String description = null;
        if (body.has("description")) {
            description = optionalText(body, "description");
            present.add(PortfolioPatch.Field.DESCRIPTION);
        }
        List<Weight> weights = null;
        if (body.has("weights")) {
            weights = weights(body.get("weights"));
            present.add(PortfolioPatch.Field.WEIGHTS);
        }
        List<RebalanceCondition> conditions = null;
        if (body.has(CONDITIONS) || body.has(CONDITIONS_SPEC_SPELLING)) {
            conditions = conditions(body);
            present.add(PortfolioPatch.Field.REBALANCE_CONDITIONS);
        }
        int cooldown = 0;
        if (body.has("cooldown_days")) {
            cooldown = cooldown(body.get("cooldown_days"));
            present.add(PortfolioPatch.Field.COOLDOWN_DAYS);
        }
        Strategies strategies = Strategies.NONE;
        java.util.Optional<Strategies> named = strategies(body);
        if (named.isPresent()) {
            strategies = named.get();
            if (body.get(STRATEGIES).has(TRADE_COSTS)) {
                present.add(PortfolioPatch.Field.TRADE_COSTS);
            }
            if (body.get(STRATEGIES).has(HARVESTING)) {
                present.add(PortfolioPatch.Field.TAX_LOSS_HARVESTING);
            }
            if (body.get(STRATEGIES).has(VOLATILITY)) {
                present.add(PortfolioPatch.Field.VOLATILITY_FILTER);
            }
        }
        return new PortfolioPatch(present, new PortfolioDraft(name, description, weights, conditions, cooldown,
                strategies));
    }

    /** {@code POST /v1/rebalancing/runs}: account, type, weights, and an amount exactly when the type needs one. */
    static ManualRun manualRun(JsonNode body) {
        RequestFields.requireObject(body);
        String accountId = RequestFields.requiredText(body, "account_id");
        RunType type = RunBook.runType(RequestFields.requiredText(body, "type"));
        if (type == RunType.TAX_LOSS_HARVEST) {
            throw new InvalidInput("type", "tax_loss_harvest runs are started by the rebalancer for portfolios with "
                    + "tax_loss_harvesting on, not by a request");
        }
        List<Weight> weights = weights(body.get("weights"));
        java.math.BigDecimal amount = null;
        if (type != RunType.FULL_REBALANCE) {
            amount = amount(body.get("amount"), "amount");
        } else if (body.hasNonNull("amount")) {
            throw new InvalidInput("amount", "is not allowed for a full_rebalance run");
        }
        return new ManualRun(accountId, type, weights, amount);
    }

    /** {@code POST /v1/rebalancing/subscriptions}: an account and a portfolio. */
    record NewSubscription(String accountId, java.util.UUID portfolioId) {
    }

    static NewSubscription subscription(JsonNode body) {
        RequestFields.requireObject(body);
        String accountId = RequestFields.requiredText(body, "account_id");
        String portfolio = RequestFields.requiredText(body, "portfolio_id");
        try {
            return new NewSubscription(accountId, java.util.UUID.fromString(portfolio));
        } catch (IllegalArgumentException e) {
            throw new InvalidInput("portfolio_id", "is not a UUID: \"" + portfolio + "\"");
        }
    }

    /**
     * {@code POST /v1/trading/halt}: a reason is required, {@code cancel_open_orders} an optional boolean,
     * {@code requested_by} an optional text naming on whose behalf (kept in the history's actor).
     */
    record Halt(String reason, boolean cancelOpenOrders, String requestedBy) {
    }

    private static final int MAX_REQUESTED_BY = 200;
    private static final java.util.regex.Pattern IDEMPOTENCY_KEY = java.util.regex.Pattern.compile("[!-~]{1,200}");

    /** Optional; at most 200 characters and no control characters (it goes into the history as given). */
    static String requestedBy(String requestedBy) {
        if (requestedBy == null) {
            return null;
        }
        if (requestedBy.isBlank() || requestedBy.length() > MAX_REQUESTED_BY
                || requestedBy.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInput("requested_by", "must be a text of 1 to " + MAX_REQUESTED_BY
                    + " characters without control characters");
        }
        return requestedBy;
    }

    /** The {@code Idempotency-Key} header: optional; 1 to 200 visible ASCII characters. */
    static String idempotencyKey(String key) {
        if (key == null) {
            return null;
        }
        if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw new InvalidInput("Idempotency-Key", "must be 1 to 200 visible ASCII characters (no spaces)");
        }
        return key;
    }

    static Halt halt(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new InvalidInput("", "the body must be a JSON object with a reason");
        }
        String reason = RequestFields.requiredText(body, "reason");
        JsonNode cancel = body.get("cancel_open_orders");
        if (cancel != null && !cancel.isNull() && !cancel.isBoolean()) {
            throw new InvalidInput("cancel_open_orders", "must be true or false");
        }
        JsonNode requestedBy = body.get("requested_by");
        if (requestedBy != null && !requestedBy.isNull() && !requestedBy.isTextual()) {
            throw new InvalidInput("requested_by", "must be a string");
        }
        return new Halt(reason, cancel != null && cancel.asBoolean(false),
                requestedBy(requestedBy == null || requestedBy.isNull() ? null : requestedBy.asText()));
    }

    /** Weights of a manual run: the same rules as a portfolio's. */
    static List<Weight> weights(JsonNode weights) {
        if (weights == null || weights.isNull()) {
            throw new InvalidInput("weights", "is required");
        }
        if (!weights.isArray() || weights.isEmpty()) {
            throw new InvalidInput("weights", "must be a non-empty array");
        }
        List<Weight> result = new ArrayList<>();
        Set<String> symbols = new HashSet<>();
        boolean cash = false;
        BigDecimal sum = BigDecimal.ZERO;
        for (int i = 0; i < weights.size(); i++) {
            String at = "weights[" + i + "]";
            JsonNode weight = weights.get(i);
            if (!weight.isObject()) {
                throw new InvalidInput(at, "must be an object");
            }
            String type = text(weight.get("type"), at + ".type");
            BigDecimal percent = percent(weight.get("percent"), at + ".percent");
            if ("cash".equals(type)) {
                if (weight.hasNonNull("symbol")) {
                    throw new InvalidInput(at + ".symbol", "is not allowed for a cash weight");
                }
                if (cash) {
                    throw new InvalidInput(at + ".type", "cash may appear at most once");
                }
                cash = true;
                result.add(new Weight(WeightType.CASH, null, percent));
            } else if ("asset".equals(type)) {
                String symbol = text(weight.get("symbol"), at + ".symbol");
                if (!SYMBOL.matcher(symbol).matches()) {
                    throw new InvalidInput(at + ".symbol", "is not a symbol: \"" + symbol + "\"");
                }
                if (!symbols.add(symbol)) {
                    throw new InvalidInput(at + ".symbol", symbol + " appears more than once");
                }
                result.add(new Weight(WeightType.ASSET, symbol, percent));
            } else {
                throw new InvalidInput(at + ".type", "must be asset or cash, got \"" + type + "\"");
            }
            sum = sum.add(percent);
        }
        if (sum.compareTo(HUNDRED) != 0) {
            throw new InvalidInput("weights", "percents must sum to exactly 100.00, got " + sum.toPlainString());
        }
        return List.copyOf(result);
    }

    /** A positive amount of dollars with at most two decimals (invest_cash, partial_liquidation). */
    static BigDecimal amount(JsonNode node, String field) {
        BigDecimal amount = decimal(node, field);
        if (amount.signum() <= 0 || amount.stripTrailingZeros().scale() > 2) {
            throw new InvalidInput(field, "must be a positive amount with at most two decimals, got \""
                    + node.asText() + "\"");
        }
        return amount;
    }

    private static List<RebalanceCondition> conditions(JsonNode body) {
        if (body.has(CONDITIONS) && body.has(CONDITIONS_SPEC_SPELLING)) {
            throw new InvalidInput(CONDITIONS, "give either rebalance_conditions or rebalancing_conditions, not both");
        }
        String field = body.has(CONDITIONS_SPEC_SPELLING) ? CONDITIONS_SPEC_SPELLING : CONDITIONS;
        JsonNode conditions = body.get(field);
        if (conditions == null || conditions.isNull()) {
            return List.of();
        }
        if (!conditions.isArray()) {
            throw new InvalidInput(field, "must be an array");
        }
        List<RebalanceCondition> result = new ArrayList<>();
        boolean calendar = false;
        for (int i = 0; i < conditions.size(); i++) {
            String at = field + "[" + i + "]";
            JsonNode condition = conditions.get(i);
            if (!condition.isObject()) {
                throw new InvalidInput(at, "must be an object");
            }
            ConditionType type = conditionType(text(condition.get("type"), at + ".type"), at + ".type");
            switch (type) {
                case DRIFT_BAND -> {
                    ConditionSubType subType = subType(condition, at, ConditionSubType.ABSOLUTE, ConditionSubType.RELATIVE);
                    BigDecimal percent = decimal(condition.get("percent"), at + ".percent");
                    if (percent.signum() <= 0) {
                        throw new InvalidInput(at + ".percent", "must be positive, got \"" + percent.toPlainString() + "\"");
                    }
                    forbid(condition, "day", at, "drift_band");
                    result.add(new RebalanceCondition(type, subType, percent, null));
                }
                case CALENDAR -> {
                    if (calendar) {
                        throw new InvalidInput(at + ".type", "at most one calendar condition is allowed");
                    }
                    calendar = true;
                    ConditionSubType subType = subType(condition, at, ConditionSubType.WEEKLY, ConditionSubType.MONTHLY,
                            ConditionSubType.QUARTERLY, ConditionSubType.ANNUALLY);
                    forbid(condition, "percent", at, "calendar");
                    result.add(new RebalanceCondition(type, subType, null, day(condition.get("day"), subType, at + ".day")));
                }
                case ON_PORTFOLIO_UPDATE -> {
                    forbid(condition, "sub_type", at, "on_portfolio_update");
                    forbid(condition, "percent", at, "on_portfolio_update");
                    forbid(condition, "day", at, "on_portfolio_update");
                    result.add(new RebalanceCondition(type, null, null, null));
                }
                default -> throw new IllegalStateException(type.name());
            }
        }
        return List.copyOf(result);
    }

    private static String day(JsonNode node, ConditionSubType period, String field) {
        if (node == null || node.isNull()) {
            throw new InvalidInput(field, "is required for a calendar condition");
        }
        String day = node.asText().trim();
        switch (period) {
            case WEEKLY -> {
                for (String weekday : WEEKDAYS) {
                    if (weekday.equalsIgnoreCase(day)) {
                        return weekday;
                    }
                }
                throw new InvalidInput(field, "must be Monday to Friday for a weekly calendar, got \"" + day + "\"");
            }
            case MONTHLY, QUARTERLY -> {
                try {
                    int dayOfMonth = Integer.parseInt(day);
                    if (dayOfMonth >= 1 && dayOfMonth <= 31) {
                        return Integer.toString(dayOfMonth);
                    }
                } catch (NumberFormatException e) {
                    // refused below
                }
                throw new InvalidInput(field, "must be a day of the month from 1 to 31, got \"" + day + "\"");
            }
            case ANNUALLY -> {
                var matcher = MONTH_DAY.matcher(day);
                try {
                    if (matcher.matches()) {
                        MonthDay.of(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
                        return day;
                    }
                } catch (DateTimeException e) {
                    // refused below
                }
                throw new InvalidInput(field, "must be a date MM-DD for an annual calendar, got \"" + day + "\"");
            }
            default -> throw new IllegalStateException(period.name());
        }
    }

    private static ConditionSubType subType(JsonNode condition, String at, ConditionSubType... allowed) {
        String text = text(condition.get("sub_type"), at + ".sub_type");
        for (ConditionSubType subType : allowed) {
            if (subType.name().equalsIgnoreCase(text)) {
                return subType;
            }
        }
        List<String> names = new ArrayList<>();
        for (ConditionSubType subType : allowed) {
            names.add(subType.name().toLowerCase(Locale.ROOT));
        }
        throw new InvalidInput(at + ".sub_type", "must be " + String.join(" or ", names) + ", got \"" + text + "\"");
    }

    private static ConditionType conditionType(String text, String field) {
        for (ConditionType type : ConditionType.values()) {
            if (type.name().equalsIgnoreCase(text)) {
                return type;
            }
        }
        throw new InvalidInput(field, "must be drift_band, calendar or on_portfolio_update, got \"" + text + "\"");
    }

    private static final String STRATEGIES = "strategies";
    private static final String TRADE_COSTS = "trade_costs";
    private static final String HARVESTING = "tax_loss_harvesting";
    private static final String VOLATILITY = "volatility_filter";
    private static final Set<String> VOLATILITY_FIELDS = Set.of("source", "threshold", "invest_cash_days");
    private static final Set<String> HARVESTING_FIELDS = Set.of("pairs", "loss_percent", "min_loss_usd");
    private static final Pattern PAIR_SYMBOL = Pattern.compile("[A-Z][A-Z0-9.\\-/]{0,15}");
    private static final Set<String> TRADE_COSTS_FIELDS = Set.of("min_trade_usd", "min_trade_percent", "spread_bps",
            "per_order_usd", "max_cost_percent", "skip_inside_band", "rebalance_to");
    private static final Set<String> ASSET_CLASSES = Set.of("us_equity", "crypto");

    /**
     * The opt-in {@code strategies} object, when the body has one: each strategy an object (on) or null (off); a
     * strategy the body does not name is left as it was by a PATCH and off on a new portfolio.
     */
    private static java.util.Optional<Strategies> strategies(JsonNode body) {
        JsonNode node = body.get(STRATEGIES);
        if (node == null) {
            return java.util.Optional.empty();
        }
        if (!node.isObject()) {
            throw new InvalidInput(STRATEGIES, "must be an object, e.g. {\"trade_costs\": {...}}");
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!name.equals(TRADE_COSTS) && !name.equals(HARVESTING) && !name.equals(VOLATILITY)) {
                throw new InvalidInput(STRATEGIES + "." + name, "is not a strategy; the strategies are: " + TRADE_COSTS
                        + ", " + HARVESTING + ", " + VOLATILITY);
            }
        });
        JsonNode costs = node.get(TRADE_COSTS);
        JsonNode harvesting = node.get(HARVESTING);
        JsonNode volatility = node.get(VOLATILITY);
        return java.util.Optional.of(new Strategies(costs == null || costs.isNull() ? null : tradeCosts(costs),
                harvesting == null || harvesting.isNull() ? null : harvesting(harvesting),
                volatility == null || volatility.isNull() ? null : volatilityFilter(volatility)));
    }

    /** {@code volatility_filter}: the source (vix by default), the threshold (30), the days a deposit is spread over. */
    private static dev.rebalancer.contracts.VolatilityFilter volatilityFilter(JsonNode node) {
        String at = strategy(node, VOLATILITY, VOLATILITY_FIELDS);
        dev.rebalancer.contracts.VolatilityFilter.Source source = null;
        JsonNode sourceNode = node.get("source");
        if (sourceNode != null && !sourceNode.isNull()) {
            source = dev.rebalancer.contracts.VolatilityFilter.Source.ofKey(sourceNode.isTextual() ? sourceNode.asText()
                    : "").orElseThrow(() -> new InvalidInput(at + ".source", "must be vix (Cboe's VIX close) or "
                            + "spy_realized_vol (SPY's 20-day realised volatility), got " + sourceNode));
        }
        BigDecimal threshold = optionalBounded(node, "threshold", at, new BigDecimal("1000"));
        if (threshold != null && threshold.signum() == 0) {
            throw new InvalidInput(at + ".threshold", "must be more than 0");
        }
        Integer days = null;
        JsonNode daysNode = node.get("invest_cash_days");
        if (daysNode != null && !daysNode.isNull()) {
            if (!daysNode.canConvertToInt() || !daysNode.isIntegralNumber() || daysNode.asInt() < 1
                    || daysNode.asInt() > dev.rebalancer.contracts.VolatilityFilter.MAX_INVEST_CASH_DAYS) {
                throw new InvalidInput(at + ".invest_cash_days", "must be a whole number of trading days from 1 (a "
                        + "deposit invested at once) to " + dev.rebalancer.contracts.VolatilityFilter.MAX_INVEST_CASH_DAYS
                        + ", got " + daysNode);
            }
            days = daysNode.asInt();
        }
        return new dev.rebalancer.contracts.VolatilityFilter(source, threshold, days);
    }

    /** A strategy's object: an object of its known fields only; where it is, for the refusals that name a field. */
    private static String strategy(JsonNode node, String name, Set<String> fields) {
        String at = STRATEGIES + "." + name;
        if (!node.isObject()) {
            throw new InvalidInput(at, "must be an object or null (off)");
        }
        node.fieldNames().forEachRemaining(field -> {
            if (!fields.contains(field)) {
                throw new InvalidInput(at + "." + field, "is not a field of " + name + "; they are: "
                        + String.join(", ", new java.util.TreeSet<>(fields)));
            }
        });
        return at;
    }

    /** {@code tax_loss_harvesting}: substitute pairs (the defaults when left out), the loss threshold. */
    private static dev.rebalancer.contracts.TaxLossHarvesting harvesting(JsonNode node) {
        String at = strategy(node, HARVESTING, HARVESTING_FIELDS);
        List<List<String>> pairs = null;
        JsonNode pairsNode = node.get("pairs");
        if (pairsNode != null && !pairsNode.isNull()) {
            if (!pairsNode.isArray()) {
                throw new InvalidInput(at + ".pairs", "must be a list of pairs, e.g. [[\"VOO\", \"VTI\"]]");
            }
            pairs = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < pairsNode.size(); i++) {
                JsonNode pair = pairsNode.get(i);
                String where = at + ".pairs[" + i + "]";
                if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual() || !pair.get(1).isTextual()) {
                    throw new InvalidInput(where, "must be two symbols, e.g. [\"VOO\", \"VTI\"]");
                }
                String first = pair.get(0).asText();
                String second = pair.get(1).asText();
                if (first.equals(second)) {
                    throw new InvalidInput(where, "a security cannot be its own substitute");
                }
                for (String symbol : List.of(first, second)) {
                    if (!PAIR_SYMBOL.matcher(symbol).matches()) {
                        throw new InvalidInput(where, "\"" + symbol + "\" is not a symbol");
                    }
                    if (!seen.add(symbol)) {
                        throw new InvalidInput(where, symbol + " is in another pair already: a security has one "
                                + "substitute");
                    }
                }
                pairs.add(List.of(first, second));
            }
        }
        BigDecimal lossPercent = optionalBounded(node, "loss_percent", at, HUNDRED);
        if (lossPercent != null && lossPercent.signum() == 0) {
            throw new InvalidInput(at + ".loss_percent", "must be more than 0");
        }
        return new dev.rebalancer.contracts.TaxLossHarvesting(pairs, lossPercent,
                optionalBounded(node, "min_loss_usd", at, null));
    }

    private static dev.rebalancer.contracts.TradeCosts tradeCosts(JsonNode node) {
        String at = strategy(node, TRADE_COSTS, TRADE_COSTS_FIELDS);
        java.util.Map<String, BigDecimal> spreads = null;
        JsonNode spreadNode = node.get("spread_bps");
        if (spreadNode != null && !spreadNode.isNull()) {
            if (!spreadNode.isObject()) {
                throw new InvalidInput(at + ".spread_bps", "must be an object of asset class to basis points, e.g. "
                        + "{\"us_equity\": \"2\"}");
            }
            spreads = new java.util.LinkedHashMap<>();
            for (var entry : (Iterable<java.util.Map.Entry<String, JsonNode>>) spreadNode::fields) {
                if (!ASSET_CLASSES.contains(entry.getKey())) {
                    throw new InvalidInput(at + ".spread_bps." + entry.getKey(), "is not an asset class of Alpaca's: "
                            + "us_equity, crypto");
                }
                spreads.put(entry.getKey(), bounded(entry.getValue(), at + ".spread_bps." + entry.getKey(),
                        new BigDecimal("10000")));
            }
        }
        JsonNode skip = node.get("skip_inside_band");
        if (skip != null && !skip.isNull() && !skip.isBoolean()) {
            throw new InvalidInput(at + ".skip_inside_band", "must be true or false");
        }
        dev.rebalancer.contracts.TradeCosts.RebalanceTo to = null;
        JsonNode toNode = node.get("rebalance_to");
        if (toNode != null && !toNode.isNull()) {
            to = switch (toNode.asText()) {
                case "target" -> dev.rebalancer.contracts.TradeCosts.RebalanceTo.TARGET;
                case "band_edge" -> dev.rebalancer.contracts.TradeCosts.RebalanceTo.BAND_EDGE;
                default -> throw new InvalidInput(at + ".rebalance_to", "must be target or band_edge, got "
                        + toNode);
            };
        }
        BigDecimal maxCost = optionalBounded(node, "max_cost_percent", at, HUNDRED);
        if (maxCost != null && maxCost.signum() == 0) {
            throw new InvalidInput(at + ".max_cost_percent", "must be more than 0 (every trade costs something)");
        }
        return new dev.rebalancer.contracts.TradeCosts(optionalBounded(node, "min_trade_usd", at, null),
                optionalBounded(node, "min_trade_percent", at, HUNDRED), spreads,
                optionalBounded(node, "per_order_usd", at, null), maxCost,
                skip == null || skip.isNull() ? null : skip.asBoolean(), to);
    }

    private static BigDecimal optionalBounded(JsonNode node, String field, String at, BigDecimal max) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : bounded(value, at + "." + field, max);
    }

    /** A decimal from 0 to {@code max} (null: no bound). */
    private static BigDecimal bounded(JsonNode node, String field, BigDecimal max) {
        BigDecimal value = decimal(node, field);
        if (value.signum() < 0 || max != null && value.compareTo(max) > 0) {
            throw new InvalidInput(field, "must be from 0" + (max == null ? "" : " to " + max.toPlainString())
                    + ", got \"" + node.asText() + "\"");
        }
        return value;
    }

    private static void forbid(JsonNode condition, String name, String at, String type) {
        if (condition.hasNonNull(name)) {
            throw new InvalidInput(at + "." + name, "is not allowed for a " + type + " condition");
        }
    }

    private static BigDecimal percent(JsonNode node, String field) {
        BigDecimal percent = decimal(node, field);
        if (percent.signum() <= 0 || percent.stripTrailingZeros().scale() > 2) {
            throw new InvalidInput(field, "must be positive with at most two decimals, got \"" + node.asText() + "\"");
        }
        return percent;
    }

    private static BigDecimal decimal(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            throw new InvalidInput(field, "is required");
        }
        if (!node.isTextual() && !node.isNumber()) {
            throw new InvalidInput(field, "must be a decimal string");
        }
        try {
            return new BigDecimal(node.asText().trim());
        } catch (NumberFormatException e) {
            throw new InvalidInput(field, "is not a decimal: \"" + node.asText() + "\"");
        }
    }

    private static String name(JsonNode node) {
        String name = text(node, "name");
        if (name.length() > 200) {
            throw new InvalidInput("name", "must be at most 200 characters");
        }
        return name;
    }

    private static int cooldown(JsonNode node) {
        if (node == null || node.isNull()) {
            throw new InvalidInput("cooldown_days", "is required");
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 0) {
            throw new InvalidInput("cooldown_days", "must be a whole number of days, 0 or more, got " + node);
        }
        return node.asInt();
    }

    private static String text(JsonNode node, String field) {
        return RequestFields.text(node, field).trim();
    }

    private static String optionalText(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidInput(field, "must be a string");
        }
        return node.asText();
    }
}
