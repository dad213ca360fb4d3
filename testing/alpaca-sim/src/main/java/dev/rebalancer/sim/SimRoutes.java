package dev.rebalancer.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.function.BiFunction;

/**
 * The simulator's HTTP surface on a Vert.x router: Alpaca's Trading API v2 subset under {@code /v2}, the
 * {@code trade_updates} WebSocket at {@code /stream}, and the admin API under {@code /sim}. The same routes serve the
 * Quarkus application and the server started inside a test JVM.
 */
public final class SimRoutes {

    private static final System.Logger LOG = System.getLogger(SimRoutes.class.getName());

    private SimRoutes() {
    }

    public static void register(Router router, SimBroker broker) {
        router.route("/v2/*").handler(BodyHandler.create());
        router.route("/sim/*").handler(BodyHandler.create());

        router.post("/sim/accounts").handler(admin(body -> broker.createAccount(text(body, "api_key_id"),
                text(body, "api_secret_key"), SimBroker.decimal(body.get("cash"), "cash", false))));
        router.post("/sim/accounts/:account_id/deposits").handler(ctx -> adminCall(ctx, body ->
                broker.deposit(ctx.pathParam("account_id"), SimBroker.decimal(body.get("amount"), "amount", true),
                        body.hasNonNull("at") ? Instant.parse(body.get("at").asText()) : null,
                        body.hasNonNull("uuid") ? body.get("uuid").asText() : null,
                        body.hasNonNull("type") ? body.get("type").asText() : null)));
        router.put("/sim/accounts/:account_id/activities/:activity_id").handler(ctx -> adminCall(ctx, body ->
                broker.activityStatus(ctx.pathParam("account_id"), ctx.pathParam("activity_id"),
                        body.path("status").asText())));
        router.post("/sim/accounts/:account_id/holdings").handler(ctx -> adminCall(ctx, body ->
                broker.holdBoughtAt(ctx.pathParam("account_id"), text(body, "symbol"),
                        SimBroker.decimal(body.get("qty"), "qty", true),
                        SimBroker.decimal(body.get("price"), "price", true), Instant.parse(text(body, "at")))));
        router.put("/sim/prices").handler(admin(broker::setPrices));
        router.post("/sim/splits").handler(admin(body -> broker.split(text(body, "symbol"),
                SimBroker.decimal(body.get("ratio"), "ratio", true))));
        router.put("/sim/calendar").handler(admin(broker::setCalendar));
        router.put("/sim/bars/:symbol").handler(ctx -> adminCall(ctx, body -> broker.setCloses(
                ctx.pathParam("symbol"), body)));
        router.put("/sim/clock").handler(admin(body -> {
            JsonNode isOpen = body.get("is_open");
            if (isOpen == null || !isOpen.isBoolean()) {
                throw SimError.validation("is_open must be true or false");
            }
            return broker.setClock(isOpen.asBoolean(), instant(body, "next_open"), instant(body, "next_close"));
        }));
        router.put("/sim/config").handler(admin(body -> broker.setConfig(
                body.has("fill_latency_ms") ? wholeNumber(body, "fill_latency_ms") : null,
                body.has("partial_fill_ratio") ? SimBroker.decimal(body.get("partial_fill_ratio"), "partial_fill_ratio", false)
                        : null,
                body.has("cancel_latency_ms") ? wholeNumber(body, "cancel_latency_ms") : null)));
        router.put("/sim/faults/orders/:symbol").handler(ctx -> adminCall(ctx, body -> broker.setOrderFault(
                ctx.pathParam("symbol"), optionalText(body, "fault"), optionalText(body, "message"))));
        router.put("/sim/faults").handler(admin(body -> broker.setFaults(
                body.has("reject_next_orders") ? (int) wholeNumber(body, "reject_next_orders") : null,
                body.has("server_error_rate") ? SimBroker.decimal(body.get("server_error_rate"), "server_error_rate", false)
                        .doubleValue() : null,
                body.has("requests_per_minute") ? (int) wholeNumber(body, "requests_per_minute") : null,
                body.has("rate_limit_window_ms") ? wholeNumber(body, "rate_limit_window_ms") : null,
                body.has("drop_stream") ? bool(body, "drop_stream") : null,
                body.has("silent_stream") ? bool(body, "silent_stream") : null)));
        router.put("/sim/accounts/:account_id/latency").handler(ctx -> adminCall(ctx,
                body -> broker.setLatency(ctx.pathParam("account_id"), wholeNumber(body, "latency_ms"))));
        router.get("/sim/accounts/:account_id/stats").handler(ctx -> adminCall(ctx,
                body -> broker.stats(ctx.pathParam("account_id"))));
        router.get("/sim/accounts/:account_id/submissions").handler(ctx -> adminCall(ctx,
                body -> broker.submissions(ctx.pathParam("account_id"))));
        router.put("/sim/accounts/:account_id/margin").handler(ctx -> adminCall(ctx, body -> broker.setMargin(
                ctx.pathParam("account_id"), SimBroker.decimal(body.get("multiplier"), "multiplier", true),
                body.has("daytrade_count") ? (int) wholeNumber(body, "daytrade_count") : null,
                body.has("pattern_day_trader") ? bool(body, "pattern_day_trader") : null)));

        router.get("/v2/account").handler(api(broker, false, (ctx, account) -> broker.account(account)));
        router.get("/v2/positions").handler(api(broker, false, (ctx, account) -> broker.positions(account)));
        router.get("/v2/positions/:symbol").handler(api(broker, false,
                (ctx, account) -> broker.position(account, ctx.pathParam("symbol"))));
        router.delete("/v2/positions/:symbol").handler(api(broker, false,
                (ctx, account) -> broker.closePosition(account, ctx.pathParam("symbol"))));
        // The server_error_rate fault strikes order submissions after the order was taken: the ambiguous answer a
        // client must resolve by looking the order up, never by sending it again.
        router.post("/v2/orders").handler(api(broker, true, (ctx, account) -> {
            JsonNode body = body(ctx);
            return broker.submit(account, text(body, "symbol"), optionalDecimal(body, "qty"),
                    optionalDecimal(body, "notional"), optionalText(body, "side"), optionalText(body, "type"),
                    optionalText(body, "time_in_force"), optionalText(body, "client_order_id"));
        }));
        router.routeWithRegex(HttpMethod.GET, "/v2/orders:by_client_order_id").handler(api(broker, false,
                (ctx, account) -> broker.orderByClientOrderId(account, ctx.queryParams().get("client_order_id"))));
        router.get("/v2/orders").handler(api(broker, false, (ctx, account) -> broker.orders(account,
                ctx.queryParams().get("status"), intParam(ctx, "limit", 50), ctx.queryParams().get("direction"),
                timeParam(ctx, "after"))));
        router.get("/v2/orders/:order_id").handler(api(broker, false,
                (ctx, account) -> broker.order(account, ctx.pathParam("order_id"))));
        router.delete("/v2/orders/:order_id").handler(api(broker, false, (ctx, account) -> {
            broker.cancel(account, ctx.pathParam("order_id"));
            return null;
        }));
        router.get("/v2/account/activities/:activity_type").handler(api(broker, false, (ctx, account) ->
                broker.activities(account, java.util.Set.of(ctx.pathParam("activity_type")),
                        ctx.queryParams().get("direction"), intParam(ctx, "page_size", 100),
                        ctx.queryParams().get("page_token"), timeParam(ctx, "after"), timeParam(ctx, "until"))));
        router.get("/v2/account/activities").handler(api(broker, false, (ctx, account) -> {
            String types = ctx.queryParams().get("activity_types");
            return broker.activities(account, types == null ? null : java.util.Set.of(types.split(",")),
                    ctx.queryParams().get("direction"), intParam(ctx, "page_size", 100),
                    ctx.queryParams().get("page_token"), timeParam(ctx, "after"), timeParam(ctx, "until"));
        }));
        router.get("/v2/clock").handler(api(broker, false, (ctx, account) -> broker.clock()));
        router.get("/v2/assets/:symbol").handler(api(broker, false,
                (ctx, account) -> broker.asset(ctx.pathParam("symbol"))));
        router.get("/v2/assets").handler(api(broker, false,
                (ctx, account) -> broker.assets(ctx.queryParams().get("status"))));
        router.get("/v2/calendar").handler(api(broker, false, (ctx, account) -> {
            java.time.LocalDate today = Instant.now().atZone(SimJson.NEW_YORK).toLocalDate();
            String start = ctx.queryParams().get("start");
            String end = ctx.queryParams().get("end");
            return broker.calendar(start == null ? today : SimCalendar.date(start, "start"),
                    end == null ? today.plusDays(30) : SimCalendar.date(end, "end"));
        }));

        // Alpaca's market data API (data.alpaca.markets) on the same host: daily bars, of one symbol or several.
        router.get("/v2/stocks/bars").handler(api(broker, false, (ctx, account) -> {
            String symbols = ctx.queryParams().get("symbols");
            BarsQuery query = BarsQuery.of(ctx);
            return broker.bars(symbols == null ? java.util.List.of() : java.util.List.of(symbols.split(",", -1)), query.timeframe(),
                    query.start(), query.end(), query.limit(), query.pageToken(), query.adjustment());
        }));
        router.get("/v2/stocks/:symbol/bars").handler(api(broker, false, (ctx, account) -> {
            BarsQuery query = BarsQuery.of(ctx);
            return broker.bars(ctx.pathParam("symbol"), query.timeframe(), query.start(), query.end(), query.limit(),
                    query.pageToken(), query.adjustment());
        }));

        router.get("/stream").handler(ctx -> ctx.request().toWebSocket()
                .onSuccess(ws -> new StreamSession(broker, ws))
                .onFailure(e -> LOG.log(System.Logger.Level.WARNING, "stream upgrade failed: {0}", e.getMessage())));
    }

    private interface AdminAction {
        JsonNode apply(JsonNode body);
    }

    private static io.vertx.core.Handler<RoutingContext> admin(AdminAction action) {
        return ctx -> adminCall(ctx, action);
    }

    private static void adminCall(RoutingContext ctx, AdminAction action) {
        try {
            respond(ctx, 200, action.apply(body(ctx)));
        } catch (SimError e) {
            respond(ctx, e.status, SimJson.error(e));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "admin call failed", e);
            respond(ctx, 500, SimJson.error(new SimError(500, SimError.INTERNAL, "internal error: " + e)));
        }
    }

    /**
     * An authenticated Trading API call: keys, then the request budget, then the faults, then the work — after the
     * account's latency, if it has one.
     */
    private static io.vertx.core.Handler<RoutingContext> api(SimBroker broker, boolean failsAfterWork,
            BiFunction<RoutingContext, SimAccount, JsonNode> action) {
        return ctx -> {
            long latency = broker.latencyFor(ctx.request().getHeader("APCA-API-KEY-ID"));
            if (latency > 0) {
                ctx.vertx().setTimer(latency, timer -> {
                    if (!ctx.response().closed()) {
                        serve(ctx, broker, failsAfterWork, action);
                    }
                });
            } else {
                serve(ctx, broker, failsAfterWork, action);
            }
        };
    }

    private static void serve(RoutingContext ctx, SimBroker broker, boolean failsAfterWork,
            BiFunction<RoutingContext, SimAccount, JsonNode> action) {
        SimAccount account = null;
        try {
            account = broker.authenticate(ctx.request().getHeader("APCA-API-KEY-ID"),
                    ctx.request().getHeader("APCA-API-SECRET-KEY"));
            rateHeaders(ctx, broker.admit(account));
            boolean fails = broker.nextRequestFails();
            if (fails && !failsAfterWork) {
                throw new SimError(500, SimError.INTERNAL, "internal server error occurred");
            }
            JsonNode result = action.apply(ctx, account);
            if (fails) {
                throw new SimError(500, SimError.INTERNAL, "internal server error occurred");
            }
            respond(ctx, result == null ? 204 : 200, result);
        } catch (SimBroker.RateLimitedError e) {
            if (failsAfterWork) { // an order submission, refused before it was read
                broker.submissionRateLimited(account, clientOrderIdOf(ctx));
            }
            rateHeaders(ctx, e.limit);
            respond(ctx, 429, SimJson.error(new SimError(429, SimError.RATE_LIMITED, "too many requests")));
        } catch (SimError e) {
            respond(ctx, e.status, SimJson.error(e));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "request failed", e);
            respond(ctx, 500, SimJson.error(new SimError(500, SimError.INTERNAL, "internal error: " + e)));
        }
    }

    private static void rateHeaders(RoutingContext ctx, SimBroker.RateLimit limit) {
        ctx.response().putHeader("X-RateLimit-Limit", Integer.toString(limit.limit()))
                .putHeader("X-RateLimit-Remaining", Integer.toString(limit.remaining()))
                .putHeader("X-RateLimit-Reset", Long.toString(limit.resetEpochSeconds()));
    }

    private static void respond(RoutingContext ctx, int status, JsonNode body) {
        ctx.response().setStatusCode(status);
        if (body == null) {
            ctx.response().end();
        } else {
            ctx.response().putHeader("Content-Type", "application/json; charset=UTF-8").end(body.toString());
        }
    }

    private static JsonNode body(RoutingContext ctx) {
        String text = ctx.body() == null ? null : ctx.body().asString();
        if (text == null || text.isBlank()) {
            return SimJson.MAPPER.createObjectNode();
        }
        try {
            JsonNode json = SimJson.MAPPER.readTree(text);
            if (!json.isObject()) {
                throw new SimError(400, SimError.MALFORMED, "request body must be a JSON object");
            }
            return json;
        } catch (IOException e) {
            throw new SimError(400, SimError.MALFORMED, "request body format is invalid");
        }
    }

    private static String clientOrderIdOf(RoutingContext ctx) {
        try {
            return optionalText(body(ctx), "client_order_id");
        } catch (SimError unreadable) {
            return null;
        }
    }

    private static String text(JsonNode body, String field) {
        String value = optionalText(body, field);
        if (value == null || value.isBlank()) {
            throw SimError.validation(field + " is required");
        }
        return value;
    }

    private static String optionalText(JsonNode body, String field) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? null : node.asText();
    }

    private static BigDecimal optionalDecimal(JsonNode body, String field) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? null : SimBroker.decimal(node, field, false);
    }

    private static long wholeNumber(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.canConvertToLong() || !node.isIntegralNumber()) {
            throw SimError.validation(field + " must be a whole number");
        }
        return node.asLong();
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.isBoolean()) {
            throw SimError.validation(field + " must be true or false");
        }
        return node.asBoolean();
    }

    private static Instant instant(JsonNode body, String field) {
        String value = optionalText(body, field);
        try {
            return value == null ? null : java.time.OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw SimError.validation(field + " must be an RFC 3339 time");
        }
    }

    private static int intParam(RoutingContext ctx, String name, int fallback) {
        String value = ctx.queryParams().get(name);
        try {
            return value == null ? fallback : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw SimError.validation(name + " must be a whole number");
        }
    }

    private static Instant timeParam(RoutingContext ctx, String name) {
        String value = ctx.queryParams().get(name);
        if (value == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notTime) {
            try {
                return LocalDate.parse(value).atStartOfDay(SimJson.NEW_YORK).toInstant();
            } catch (DateTimeParseException notDate) {
                throw SimError.validation(name + " must be a date or an RFC 3339 time");
            }
        }
    }

    /** One {@code /stream} connection: authenticate, listen, then trade updates as binary frames, as paper sends. */
    private static final class StreamSession implements SimBroker.StreamSink {
        private final SimBroker broker;
        private final ServerWebSocket ws;
        private SimAccount account;

        StreamSession(SimBroker broker, ServerWebSocket ws) {
            this.broker = broker;
            this.ws = ws;
            ws.textMessageHandler(this::onMessage);
            ws.binaryMessageHandler(buffer -> onMessage(buffer.toString()));
            ws.closeHandler(v -> {
                if (account != null) {
                    broker.unsubscribe(account, this);
                }
            });
        }

        private void onMessage(String text) {
            if (broker.streamSilent()) {
                return;
            }
            JsonNode message;
            try {
                message = SimJson.MAPPER.readTree(text);
            } catch (IOException e) {
                send("{\"stream\":\"error\",\"data\":{\"message\":\"invalid syntax\"}}");
                return;
            }
            JsonNode data = message.path("data");
            switch (message.path("action").asText()) {
                case "authenticate" -> {
                    try {
                        account = broker.authenticate(data.path("key_id").asText(null), data.path("secret_key").asText(null));
                        send("{\"stream\":\"authorization\",\"data\":{\"status\":\"authorized\",\"action\":\"authenticate\"}}");
                    } catch (SimError e) {
                        send("{\"stream\":\"authorization\",\"data\":{\"status\":\"unauthorized\",\"action\":\"authenticate\"}}");
                        ws.close();
                    }
                }
                case "listen" -> {
                    if (account == null) {
                        send("{\"stream\":\"error\",\"data\":{\"message\":\"not authenticated\"}}");
                        return;
                    }
                    boolean tradeUpdates = false;
                    for (JsonNode stream : data.path("streams")) {
                        tradeUpdates |= "trade_updates".equals(stream.asText());
                    }
                    if (tradeUpdates && !broker.subscribe(account, this)) {
                        drop();
                        return;
                    }
                    send("{\"stream\":\"listening\",\"data\":{\"streams\":[" + (tradeUpdates ? "\"trade_updates\"" : "")
                            + "]}}");
                }
                default -> send("{\"stream\":\"error\",\"data\":{\"message\":\"unknown action\"}}");
            }
        }

        @Override
        public void send(String message) {
            if (!ws.isClosed()) {
                ws.writeBinaryMessage(Buffer.buffer(message));
            }
        }

        @Override
        public void drop() {
            if (!ws.isClosed()) {
                ws.close((short) 1001, "dropped by the simulator (drop_stream fault)");
            }
        }
    }

    /** The query of a bars request: start and end (a day, or a time whose date counts), limit, page and adjustment. */
    private record BarsQuery(String timeframe, java.time.LocalDate start, java.time.LocalDate end, int limit,
            String pageToken, String adjustment) {

        static BarsQuery of(io.vertx.ext.web.RoutingContext ctx) {
            java.time.LocalDate today = Instant.now().atZone(SimJson.NEW_YORK).toLocalDate();
            String start = ctx.queryParams().get("start");
            String end = ctx.queryParams().get("end");
            String limit = ctx.queryParams().get("limit");
            int bars;
            try {
                bars = limit == null ? 1000 : Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                throw SimError.badQuery("invalid limit: " + limit);
            }
            return new BarsQuery(ctx.queryParams().get("timeframe"),
                    start == null ? today.minusDays(1) : SimCalendar.date(start.substring(0, Math.min(10,
                            start.length())), "start"),
                    end == null ? today : SimCalendar.date(end.substring(0, Math.min(10, end.length())), "end"),
                    bars, ctx.queryParams().get("page_token"), ctx.queryParams().get("adjustment"));
        }
    }
}
