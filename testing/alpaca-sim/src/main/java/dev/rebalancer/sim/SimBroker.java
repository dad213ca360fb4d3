package dev.rebalancer.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An Alpaca paper broker in memory: accounts known by their key pairs, market orders (by quantity or notional,
 * fractional where the asset allows), fills at the current price after a latency, a market clock, Alpaca's
 * rejections, the per-minute request budget, cash deposits, and faults to inject. Every method takes the broker's one
 * lock, so the state is always consistent; fills run on the broker's own scheduler.
 */
public final class SimBroker implements AutoCloseable {

    /** Where the {@code trade_updates} messages of one account go. */
    public interface StreamSink {
        void send(String message);

        /** The connection must close: the {@code drop_stream} fault. */
        void drop();
    }

    /** A symbol's order fault: {@code refuse} (403 at the POST, with the message), {@code cancel} or {@code expire}. */
    record OrderFault(String kind, String message) {
        static final List<String> KINDS = List.of("refuse", "cancel", "expire");
    }

    /** The rate-limit state reported in Alpaca's {@code X-RateLimit-*} headers. */
    public record RateLimit(int limit, int remaining, long resetEpochSeconds) {
    }

    /** The ETF universe the local stack and the demo use, with plausible prices. */
    static final Map<String, String> DEFAULT_PRICES = orderedMap(
            "SPY", "600.10", "QQQ", "520.45", "TLT", "88.25", "GLD", "245.30", "VWO", "47.80",
            "BIL", "91.55", "VOO", "551.20", "VTI", "295.60", "BND", "73.40", "IEMG", "58.90");

    private static final BigDecimal MIN_BUY = BigDecimal.ONE;
    private static final DateTimeFormatter ACTIVITY_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS")
            .withZone(ZoneOffset.UTC);

    private final ScheduledExecutorService fills = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "alpaca-sim-fills");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, SimAccount> accountsById = new LinkedHashMap<>();
    private final Map<String, SimAccount> accountsByKey = new HashMap<>();
    private final Map<String, SimAsset> assets = new LinkedHashMap<>();
    private final Map<String, List<StreamSink>> streams = new HashMap<>();
    private final Instant started = Instant.now();
    private final SimCalendar calendar = new SimCalendar();
    private long sequence;
    private long requestCount;
    private Instant lastActivityTime = Instant.EPOCH;

    private boolean open = true;
    private Instant nextOpen;
    private Instant nextClose;
    private long fillLatencyMs = 100;
    /** How long a cancel stays {@code pending_cancel} (0: canceled at once); the order may still fill meanwhile. */
    private long cancelLatencyMs;
    /** Per-symbol order faults: refused at the POST, or accepted and then canceled or expired instead of filled. */
    private final Map<String, OrderFault> orderFaults = new HashMap<>();
    private BigDecimal partialFillRatio = BigDecimal.ZERO;
    private int rejectNextOrders;
    private double serverErrorRate;
    private int requestsPerMinute = 200;
    /** The length of the rate-limit window: Alpaca's minute, shorter in tests that want a storm of 429s to pass. */
    private long rateWindowMs = 60_000;
    private boolean dropStream;
    /** Stream connections opened meanwhile get no answer to authenticate or listen: a stalled handshake. */
    private boolean silentStream;

    public SimBroker() {
        DEFAULT_PRICES.forEach((symbol, price) -> assets.put(symbol, new SimAsset(symbol, new BigDecimal(price))));
    }

    // ---- admin ----------------------------------------------------------------------------------------------

    /** {@code POST /sim/accounts}. */
    public synchronized ObjectNode createAccount(String keyId, String secretKey, BigDecimal cash) {
        requireText(keyId, "api_key_id");
        requireText(secretKey, "api_secret_key");
        if (cash == null || cash.signum() < 0) {
            throw SimError.validation("cash must be a non-negative decimal");
        }
        if (accountsByKey.containsKey(keyId)) {
            throw new SimError(409, SimError.VALIDATION, "an account with api_key_id " + keyId + " exists already");
        }
        String id = uuid("account:" + keyId);
        String number = String.format("PA%010d", accountsById.size() + 1);
        SimAccount account = new SimAccount(id, number, keyId, secretKey, cash, Instant.now());
        accountsById.put(id, account);
        accountsByKey.put(keyId, account);
        return renderAccount(account);
    }

    /** {@code POST /sim/accounts/{account_id}/deposits}: a {@code CSD} activity, and the cash with it. */
    public synchronized ObjectNode deposit(String accountId, BigDecimal amount) {
        return deposit(accountId, amount, null, null, null);
    }

    /**
     * A cash activity as Alpaca would post it: now (each a millisecond after the last), or at {@code at} — back-dated,
     * or at the very time of another — and with the uuid part {@code uuid} when given, so ids of one timestamp can be
     * ordered at will; {@code type} {@code CSD} (default) or {@code JNLC}.
     */
    public synchronized ObjectNode deposit(String accountId, BigDecimal amount, Instant at, String uuid,
            String type) {
        SimAccount account = accountsById.get(accountId);
        if (account == null) {
            throw SimError.notFound("account not found: " + accountId);
        }
        if (amount == null || amount.signum() <= 0) {
            throw SimError.validation("amount must be a positive decimal");
        }
        if (type != null && !type.equals("CSD") && !type.equals("JNLC")) {
            throw SimError.validation("type must be CSD or JNLC");
        }
        Instant when = at != null ? at : activityTime(Instant.now());
        SimActivity activity = new SimActivity(ACTIVITY_TIME.format(when) + "::"
                + (uuid == null ? uuid("activity:" + next()) : uuid), type == null ? "CSD" : type, amount, when,
                "executed");
        account.activities.add(activity);
        account.cash = account.cash.add(amount);
        return SimJson.activity(activity);
    }

    /**
     * {@code PUT /sim/accounts/{id}/activities/{activity_id}}: Alpaca changes an activity's status after the fact —
     * {@code canceled} takes its cash back out, {@code correct} marks it corrected.
     */
    public synchronized ObjectNode activityStatus(String accountId, String activityId, String status) {
        SimAccount account = accountsById.get(accountId);
        if (account == null) {
            throw SimError.notFound("account not found: " + accountId);
        }
        if (!java.util.Set.of("executed", "correct", "canceled").contains(status)) {
            throw SimError.validation("status must be executed, correct or canceled");
        }
        for (int i = 0; i < account.activities.size(); i++) {
            SimActivity activity = account.activities.get(i);
            if (activity.id().equals(activityId)) {
                boolean wasIn = !activity.status().equals("canceled");
                boolean isIn = !status.equals("canceled");
                if (wasIn != isIn) {
                    account.cash = isIn ? account.cash.add(activity.amount()) : account.cash.subtract(activity.amount());
                }
                SimActivity changed = activity.withStatus(status);
                account.activities.set(i, changed);
                return SimJson.activity(changed);
            }
        }
        throw SimError.notFound("activity not found: " + activityId);
    }

    /** {@code PUT /sim/prices}: a price per symbol, or {@code {"price", "fractionable", "tradable", "quoted"}}. */
    public synchronized ObjectNode setPrices(JsonNode prices) {
        if (prices == null || !prices.isObject()) {
            throw SimError.validation("body must be an object of symbol to price");
        }
        Map<String, JsonNode> updates = new LinkedHashMap<>();
        prices.fields().forEachRemaining(e -> updates.put(e.getKey(), e.getValue()));
        for (Map.Entry<String, JsonNode> update : updates.entrySet()) {
            JsonNode value = update.getValue();
            decimal(value.isObject() ? value.get("price") : value, "price of " + update.getKey(), true);
        }
        updates.forEach((symbol, value) -> {
            JsonNode priceNode = value.isObject() ? value.get("price") : value;
            BigDecimal price = decimal(priceNode, "price of " + symbol, true);
            SimAsset asset = assets.computeIfAbsent(symbol, s -> new SimAsset(s, price));
            asset.price = price;
            if (value.isObject()) {
                if (value.has("fractionable")) {
                    asset.fractionable = value.get("fractionable").asBoolean();
                }
                if (value.has("tradable")) {
                    asset.tradable = value.get("tradable").asBoolean();
                }
                if (value.has("quoted")) {
                    asset.quoted = value.get("quoted").asBoolean();
                }
                if (value.has("status")) {
                    String status = value.get("status").asText();
                    if (!status.equals("active") && !status.equals("inactive")) {
                        throw SimError.validation("status of " + symbol + " must be active or inactive");
                    }
                    asset.status = status;
                }
            }
        });
        ObjectNode result = SimJson.MAPPER.createObjectNode();
        assets.values().forEach(a -> result.put(a.symbol, a.price.toPlainString()));
        return result;
    }

    /**
     * {@code POST /sim/splits}: a stock split of {@code ratio} new shares for one (2: a 2-for-1 split; 0.5: a 1-for-2
     * reverse split), as Alpaca applies one before the open: the price divided by it, every account's quantity
     * multiplied by it, what was paid unchanged. No activity is posted (Alpaca's may come a day later).
     */
    public synchronized ObjectNode split(String symbol, BigDecimal ratio) {
        SimAsset asset = assets.get(symbol);
        if (asset == null) {
            throw SimError.notFound("asset not found: " + symbol);
        }
        if (ratio == null || ratio.signum() <= 0) {
            throw SimError.validation("ratio must be a positive decimal");
        }
        asset.price = asset.price.divide(ratio, 6, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros();
        int accounts = 0;
        for (SimAccount account : accountsById.values()) {
            SimAccount.Holding holding = account.holdings.get(symbol);
            if (holding != null && holding.qty.signum() != 0) {
                holding.qty = holding.qty.multiply(ratio).setScale(9, java.math.RoundingMode.HALF_EVEN)
                        .stripTrailingZeros();
                accounts++;
            }
        }
        ObjectNode result = SimJson.MAPPER.createObjectNode();
        result.put("symbol", symbol).put("ratio", ratio.toPlainString()).put("price", asset.price.toPlainString())
                .put("accounts", accounts);
        return result;
    }

    /** {@code PUT /sim/clock}. Opening the market starts the fills of the orders that waited for it. */
    public synchronized ObjectNode setClock(boolean isOpen, Instant nextOpenAt, Instant nextCloseAt) {
        boolean opening = isOpen && !open;
        open = isOpen;
        nextOpen = nextOpenAt;
        nextClose = nextCloseAt;
        if (opening) {
            for (SimAccount account : accountsById.values()) {
                for (SimOrder order : account.orders.values()) {
                    if (order.isOpen() && !order.scheduled) {
                        scheduleFills(account, order);
                    }
                }
            }
        }
        return clock();
    }

    /** {@code PUT /sim/config}; absent fields keep their value. */
    public synchronized ObjectNode setConfig(Long latencyMs, BigDecimal partialRatio, Long cancelLatency) {
        if (latencyMs != null && latencyMs < 0) {
            throw SimError.validation("fill_latency_ms must not be negative");
        }
        if (cancelLatency != null && (cancelLatency < 0 || cancelLatency > 600_000)) {
            throw SimError.validation("cancel_latency_ms must be between 0 and 600000");
        }
        if (partialRatio != null && (partialRatio.signum() < 0 || partialRatio.compareTo(BigDecimal.ONE) >= 0)) {
            throw SimError.validation("partial_fill_ratio must be at least 0 and less than 1");
        }
        if (latencyMs != null) {
            fillLatencyMs = latencyMs;
        }
        if (partialRatio != null) {
            partialFillRatio = partialRatio;
        }
        if (cancelLatency != null) {
            cancelLatencyMs = cancelLatency;
        }
        ObjectNode json = SimJson.MAPPER.createObjectNode();
        json.put("fill_latency_ms", fillLatencyMs);
        json.put("partial_fill_ratio", partialFillRatio.toPlainString());
        json.put("cancel_latency_ms", cancelLatencyMs);
        return json;
    }

    /** {@code PUT /sim/faults}; absent fields keep their value. */
    public synchronized ObjectNode setFaults(Integer rejectNext, Double errorRate, Integer perMinute, Long windowMs,
            Boolean drop, Boolean silent) {
        if (rejectNext != null && rejectNext < 0) {
            throw SimError.validation("reject_next_orders must not be negative");
        }
        if (errorRate != null && (errorRate < 0 || errorRate > 1)) {
            throw SimError.validation("server_error_rate must be between 0 and 1");
        }
        if (perMinute != null && perMinute < 1) {
            throw SimError.validation("requests_per_minute must be at least 1");
        }
        if (windowMs != null && (windowMs < 100 || windowMs > 60_000)) {
            throw SimError.validation("rate_limit_window_ms must be between 100 and 60000");
        }
        if (rejectNext != null) {
            rejectNextOrders = rejectNext;
        }
        if (errorRate != null) {
            serverErrorRate = errorRate;
            requestCount = 0;
        }
        if (perMinute != null) {
            requestsPerMinute = perMinute;
        }
        if (windowMs != null) {
            rateWindowMs = windowMs;
        }
        if (drop != null) {
            dropStream = drop;
            if (drop) {
                streams.values().forEach(sinks -> sinks.forEach(StreamSink::drop));
                streams.clear();
            }
        }
        if (silent != null) {
            silentStream = silent;
        }
        ObjectNode json = SimJson.MAPPER.createObjectNode();
        json.put("reject_next_orders", rejectNextOrders);
        json.put("server_error_rate", serverErrorRate);
        json.put("requests_per_minute", requestsPerMinute);
        json.put("rate_limit_window_ms", rateWindowMs);
        json.put("drop_stream", dropStream);
        json.put("silent_stream", silentStream);
        return json;
    }

    /**
     * {@code PUT /sim/faults/orders/{symbol}}: orders for the symbol are refused at the POST ({@code refuse}: 403 with
     * the message), or accepted and then end {@code canceled} or {@code expired} instead of filling; {@code none} ends
     * the fault.
     */
    public synchronized ObjectNode setOrderFault(String symbol, String kind, String message) {
        requireText(symbol, "symbol");
        if (kind == null || !(kind.equals("none") || OrderFault.KINDS.contains(kind))) {
            throw SimError.validation("fault must be one of refuse, cancel, expire, none");
        }
        if (kind.equals("none")) {
            orderFaults.remove(symbol);
        } else {
            orderFaults.put(symbol, new OrderFault(kind, message == null || message.isBlank()
                    ? "order rejected by the simulator (order fault on " + symbol + ")" : message));
        }
        ObjectNode json = SimJson.MAPPER.createObjectNode();
        json.put("symbol", symbol);
        json.put("fault", kind);
        if (!kind.equals("none")) {
            json.put("message", orderFaults.get(symbol).message());
        }
        return json;
    }

    /**
     * {@code PUT /sim/accounts/{id}/margin}: Alpaca's multiplier. Above 1 the account is a margin account: buying power
     * is that many times its cash, and a buy beyond the cash is accepted and paid with borrowed money.
     */
    public synchronized ObjectNode setMargin(String accountId, BigDecimal multiplier, Integer daytradeCount,
            Boolean patternDayTrader) {
        SimAccount account = accountsById.get(accountId);
        if (account == null) {
            throw SimError.notFound("account not found: " + accountId);
        }
        if (multiplier == null || !(multiplier.compareTo(BigDecimal.ONE) == 0 || multiplier.compareTo(BigDecimal.valueOf(2)) == 0
                || multiplier.compareTo(BigDecimal.valueOf(4)) == 0)) {
            throw SimError.validation("multiplier must be 1, 2 or 4");
        }
        if (daytradeCount != null && daytradeCount < 0) {
            throw SimError.validation("daytrade_count must not be negative");
        }
        account.multiplier = multiplier.stripTrailingZeros();
        if (daytradeCount != null) {
            account.daytradeCount = daytradeCount;
        }
        if (patternDayTrader != null) {
            account.patternDayTrader = patternDayTrader;
        }
        return renderAccount(account);
    }

    // ---- the Trading API -----------------------------------------------------------------------------------

    /** Finds the account of a key pair: 401 for a missing or unknown key, 403 for a wrong secret. */
    public synchronized SimAccount authenticate(String keyId, String secretKey) {
        SimAccount account = keyId == null ? null : accountsByKey.get(keyId);
        if (account == null || secretKey == null) {
            throw new SimError(401, SimError.UNAUTHORIZED, "request is not authorized");
        }
        if (!account.secretKey.equals(secretKey)) {
            throw new SimError(403, SimError.FORBIDDEN, "forbidden.");
        }
        return account;
    }

    /** Counts a request against the account's per-minute budget (over the rate window); 429 past it. */
    public synchronized RateLimit admit(SimAccount account) {
        Instant now = Instant.now();
        account.requestsTotal++;
        while (!account.requests.isEmpty() && !account.requests.peekFirst().plusMillis(rateWindowMs).isAfter(now)) {
            account.requests.pollFirst();
        }
        Instant windowStart = account.requests.isEmpty() ? now : account.requests.peekFirst();
        long reset = windowStart.plusMillis(rateWindowMs).plusMillis(999).getEpochSecond();
        if (account.requests.size() >= requestsPerMinute) {
            account.rateLimitedTotal++;
            throw new RateLimitedError(new RateLimit(requestsPerMinute, 0, reset));
        }
        account.requests.addLast(now);
        return new RateLimit(requestsPerMinute, requestsPerMinute - account.requests.size(), reset);
    }

    /** {@code GET /sim/accounts/{account_id}/stats}: the Trading API requests the account's keys made so far. */
    public synchronized ObjectNode stats(String accountId) {
        SimAccount account = accountsById.get(accountId);
        if (account == null) {
            throw SimError.notFound("account not found: " + accountId);
        }
        ObjectNode json = SimJson.MAPPER.createObjectNode();
        json.put("requests", account.requestsTotal);
        json.put("rate_limited", account.rateLimitedTotal);
        json.put("lowest_cash", SimJson.money(account.lowestCash));
        ObjectNode afterBuys = json.putObject("cash_after_buy_fills");
        account.cashAfterBuyFills.forEach((clientOrderId, cash) -> afterBuys.put(clientOrderId, SimJson.money(cash)));
        return json;
    }

    /**
     * {@code GET /sim/accounts/{id}/submissions}: every {@code POST /v2/orders} of the account, by client order id, by
     * outcome: {@code accepted}, {@code duplicate} (refused as "client_order_id must be unique"), {@code rate_limited}
     * (429) and {@code refused} (any other refusal before the order was taken), of which
     * {@code insufficient_buying_power} and {@code insufficient_qty} were refused for want of cash or shares.
     */
    public synchronized ObjectNode submissions(String accountId) {
        SimAccount account = accountsById.get(accountId);
        if (account == null) {
            throw SimError.notFound("account not found: " + accountId);
        }
        ObjectNode json = SimJson.MAPPER.createObjectNode();
        account.submissions.forEach((clientOrderId, counts) -> json.putObject(clientOrderId)
                .put("accepted", counts.accepted).put("duplicate", counts.duplicate)
                .put("rate_limited", counts.rateLimited).put("refused", counts.refused)
                .put("insufficient_buying_power", counts.insufficientBuyingPower)
                .put("insufficient_qty", counts.insufficientQty));
        return json;
    }

    /** A {@code POST /v2/orders} refused with 429 before it was read further. */
    public synchronized void submissionRateLimited(SimAccount account, String clientOrderId) {
        submissionsOf(account, clientOrderId).rateLimited++;
    }

    private SimAccount.Submissions submissionsOf(SimAccount account, String clientOrderId) {
        return account.submissions.computeIfAbsent(clientOrderId == null ? "" : clientOrderId,
                id -> new SimAccount.Submissions());
    }

    /** {@code PUT /sim/accounts/{id}/latency}: every Trading API answer to the account's keys waits this long. */
    public synchronized ObjectNode setLatency(String accountId, long latencyMs) {
        SimAccount account = accountsById.get(accountId);
        if (account == null) {
            throw SimError.notFound("account not found: " + accountId);
        }
        if (latencyMs < 0 || latencyMs > 120_000) {
            throw SimError.validation("latency_ms must be between 0 and 120000");
        }
        account.latencyMs = latencyMs;
        return SimJson.MAPPER.createObjectNode().put("latency_ms", latencyMs);
    }

    /** How long answers to these keys are held back; none for keys no account has. */
    public synchronized long latencyFor(String keyId) {
        SimAccount account = keyId == null ? null : accountsByKey.get(keyId);
        return account == null ? 0 : account.latencyMs;
    }

    /** The {@code server_error_rate} fault, spread evenly and deterministically over the requests. */
    public synchronized boolean nextRequestFails() {
        long n = requestCount++;
        return Math.floor((n + 1) * serverErrorRate) > Math.floor(n * serverErrorRate);
    }

    public synchronized ObjectNode account(SimAccount account) {
        return renderAccount(account);
    }

    public synchronized ArrayNode positions(SimAccount account) {
        ArrayNode json = SimJson.array();
        account.holdings.forEach((symbol, holding) ->
                json.add(SimJson.position(assets.get(symbol), holding, heldForSells(account, symbol))));
        return json;
    }

    public synchronized ObjectNode position(SimAccount account, String symbol) {
        SimAccount.Holding holding = account.holdings.get(symbol);
        if (holding == null) {
            throw SimError.notFound("position does not exist");
        }
        return SimJson.position(assets.get(symbol), holding, heldForSells(account, symbol));
    }

    /** {@code DELETE /v2/positions/{symbol}}: a market sell of everything not already held for an order. */
    public synchronized ObjectNode closePosition(SimAccount account, String symbol) {
        SimAccount.Holding holding = account.holdings.get(symbol);
        if (holding == null) {
            throw SimError.notFound("position does not exist");
        }
        BigDecimal available = holding.qty.subtract(heldForSells(account, symbol));
        if (available.signum() <= 0) {
            throw new SimError(403, SimError.FORBIDDEN, INSUFFICIENT_QTY + " (requested: "
                    + SimJson.quantity(holding.qty) + ", available: 0)");
        }
        return submit(account, symbol, available, null, "sell", "market", "day", null);
    }

    /** {@code POST /v2/orders}, with Alpaca's validations and rejections; every outcome counted by client order id. */
    public synchronized ObjectNode submit(SimAccount account, String symbol, BigDecimal qty, BigDecimal notional,
            String side, String type, String timeInForce, String clientOrderId) {
        try {
            ObjectNode accepted = accept(account, symbol, qty, notional, side, type, timeInForce, clientOrderId);
            submissionsOf(account, accepted.get("client_order_id").asText()).accepted++;
            return accepted;
        } catch (SimError e) {
            SimAccount.Submissions counts = submissionsOf(account, clientOrderId);
            if (e.getMessage().equals(DUPLICATE_CLIENT_ORDER_ID)) {
                counts.duplicate++;
            } else {
                counts.refused++;
                if (e.getMessage().equals(INSUFFICIENT_BUYING_POWER)) {
                    counts.insufficientBuyingPower++;
                } else if (e.getMessage().startsWith(INSUFFICIENT_QTY)) {
                    counts.insufficientQty++;
                }
            }
            throw e;
        }
    }

    private static final String DUPLICATE_CLIENT_ORDER_ID = "client_order_id must be unique";
    private static final String INSUFFICIENT_BUYING_POWER = "insufficient buying power";
    private static final String INSUFFICIENT_QTY = "insufficient qty available for order";

    private ObjectNode accept(SimAccount account, String symbol, BigDecimal qty, BigDecimal notional,
            String side, String type, String timeInForce, String clientOrderId) {
        if (rejectNextOrders > 0) {
            rejectNextOrders--;
            throw new SimError(403, SimError.FORBIDDEN, "order rejected by the simulator (reject_next_orders fault)");
        }
        requireText(symbol, "symbol");
        if (qty != null && notional != null) {
            throw new SimError(400, SimError.VALIDATION, "qty and notional cannot both be specified");
        }
        if (qty == null && notional == null) {
            throw SimError.validation("qty or notional is required");
        }
        if (!"buy".equals(side) && !"sell".equals(side)) {
            throw SimError.validation("invalid side: " + side);
        }
        if (!"market".equals(type)) {
            throw SimError.validation("invalid order type for the simulator: " + type + " (only market)");
        }
        if (qty != null && (qty.signum() <= 0 || qty.stripTrailingZeros().scale() > 9)) {
            throw SimError.validation("qty must be > 0 with at most 9 decimal places");
        }
        if (notional != null && (notional.signum() <= 0 || notional.stripTrailingZeros().scale() > 2)) {
            throw SimError.validation("notional must be > 0 with at most 2 decimal places");
        }
        if (clientOrderId != null && clientOrderId.length() > 128) {
            throw SimError.validation("client_order_id must be no more than 128 characters");
        }
        SimAsset asset = assets.get(symbol);
        if (asset == null) {
            throw SimError.validation("asset not found: " + symbol);
        }
        if (!asset.tradable) {
            throw SimError.validation("asset " + symbol + " is not tradable");
        }
        boolean fractional = notional != null || qty.stripTrailingZeros().scale() > 0;
        if (fractional && !asset.fractionable) {
            throw SimError.validation("requested asset is not fractionable");
        }
        if (fractional && !"day".equals(timeInForce)) {
            throw SimError.validation("fractional orders must be day orders");
        }
        if (clientOrderId != null && account.ordersByClientId.containsKey(clientOrderId)) {
            throw SimError.validation(DUPLICATE_CLIENT_ORDER_ID);
        }
        OrderFault fault = orderFaults.get(symbol);
        if (fault != null && fault.kind().equals("refuse")) {
            throw new SimError(403, SimError.FORBIDDEN, fault.message());
        }
        boolean buy = "buy".equals(side);
        for (SimOrder other : account.orders.values()) {
            if (other.isOpen() && other.asset == asset && other.isBuy() != buy) {
                throw new SimError(403, SimError.FORBIDDEN, "potential wash trade detected. use complex orders");
            }
        }
        BigDecimal cost = notional != null ? notional : qty.multiply(asset.price).setScale(2, RoundingMode.HALF_UP);
        if (buy) {
            if (cost.compareTo(MIN_BUY) < 0) {
                throw SimError.validation("cost basis must be >= 1");
            }
            BigDecimal buyingPower = buyingPower(account);
            if (cost.compareTo(buyingPower) > 0) {
                throw new SimError(403, SimError.FORBIDDEN, INSUFFICIENT_BUYING_POWER)
                        .with("buying_power", SimJson.money(buyingPower))
                        .with("cost_basis", SimJson.money(cost));
            }
        } else {
            SimAccount.Holding holding = account.holdings.get(symbol);
            BigDecimal held = holding == null ? BigDecimal.ZERO : holding.qty;
            BigDecimal available = held.subtract(heldForSells(account, symbol));
            BigDecimal wanted = qty != null ? qty : notional.divide(asset.price, 9, RoundingMode.DOWN);
            if (wanted.compareTo(available) > 0) {
                throw new SimError(403, SimError.FORBIDDEN, INSUFFICIENT_QTY + " (requested: "
                        + SimJson.quantity(wanted) + ", available: " + SimJson.quantity(available) + ")");
            }
        }
        String id = uuid("order:" + next());
        SimOrder order = new SimOrder(id, clientOrderId == null ? uuid("client-order:" + id) : clientOrderId, asset,
                side, type, timeInForce, qty, notional, Instant.now(), sessionClose(Instant.now()));
        account.orders.put(id, order);
        account.ordersByClientId.put(order.clientOrderId, order);
        ObjectNode accepted = SimJson.order(order);
        fills.execute(() -> announceNew(account, order));
        if (open) {
            scheduleFills(account, order);
        }
        return accepted;
    }

    /**
     * {@code GET /v2/orders}: status open (default), closed or all; limit (default 50, at most 500); direction; only
     * those submitted after {@code after} (null: any).
     */
    public synchronized ArrayNode orders(SimAccount account, String status, int limit, String direction, Instant after) {
        String wanted = status == null ? "open" : status;
        if (!List.of("open", "closed", "all").contains(wanted)) {
            throw SimError.validation("invalid status: " + status);
        }
        if (limit < 1 || limit > 500) {
            throw SimError.validation("limit must be between 1 and 500");
        }
        List<SimOrder> selected = new ArrayList<>();
        for (SimOrder order : account.orders.values()) {
            if (("all".equals(wanted) || order.isOpen() == "open".equals(wanted))
                    && (after == null || order.createdAt.isAfter(after))) {
                selected.add(order);
            }
        }
        selected.sort(Comparator.comparing((SimOrder o) -> o.createdAt).thenComparing(o -> o.id));
        if (!"asc".equals(direction)) {
            java.util.Collections.reverse(selected);
        }
        ArrayNode json = SimJson.array();
        selected.stream().limit(limit).forEach(o -> json.add(SimJson.order(o)));
        return json;
    }

    public synchronized ObjectNode order(SimAccount account, String orderId) {
        SimOrder order = account.orders.get(orderId);
        if (order == null) {
            throw SimError.notFound("order not found");
        }
        return SimJson.order(order);
    }

    public synchronized ObjectNode orderByClientOrderId(SimAccount account, String clientOrderId) {
        SimOrder order = clientOrderId == null ? null : account.ordersByClientId.get(clientOrderId);
        if (order == null) {
            throw SimError.notFound("order not found");
        }
        return SimJson.order(order);
    }

    /**
     * {@code DELETE /v2/orders/{id}}: 422 once the order is filled, canceled, expired or rejected. With a cancel latency
     * the order is {@code pending_cancel} that long first, and a fill due meanwhile still happens, as at Alpaca.
     */
    public synchronized void cancel(SimAccount account, String orderId) {
        SimOrder order = account.orders.get(orderId);
        if (order == null) {
            throw SimError.notFound("order not found");
        }
        if (!order.isOpen()) {
            throw new SimError(422, SimError.UNPROCESSABLE, "order is already in \"" + order.status + "\" state");
        }
        if (cancelLatencyMs == 0) {
            end(account, order, "canceled");
            return;
        }
        if (!"pending_cancel".equals(order.status)) {
            order.status = "pending_cancel";
            order.updatedAt = Instant.now();
            publish(account, "pending_cancel", order, null, null);
            fills.schedule(() -> endPendingCancel(account, order), cancelLatencyMs, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void endPendingCancel(SimAccount account, SimOrder order) {
        if (order.isOpen()) {
            end(account, order, "canceled");
        }
    }

    /** The order ends unfilled (what is filled stays filled): {@code canceled} or {@code expired}. */
    private void end(SimAccount account, SimOrder order, String status) {
        Instant now = Instant.now();
        order.status = status;
        if (status.equals("expired")) {
            order.expiredAt = now;
        } else {
            order.canceledAt = now;
        }
        order.updatedAt = now;
        publish(account, status, order, null, null);
    }

    /**
     * {@code GET /v2/account/activities/{type}} and {@code GET /v2/account/activities?activity_types=}: the activities
     * of these types (null: all), oldest or newest first, paged by the last id seen.
     */
    public synchronized ArrayNode activities(SimAccount account, java.util.Set<String> types, String direction,
            int pageSize,
            String pageToken, Instant after, Instant until) {
        if (pageSize < 1 || pageSize > 100) {
            throw SimError.validation("page_size must be between 1 and 100");
        }
        boolean ascending = "asc".equals(direction);
        List<SimActivity> selected = new ArrayList<>();
        for (SimActivity activity : account.activities) {
            boolean afterToken = pageToken == null
                    || (ascending ? activity.id().compareTo(pageToken) > 0 : activity.id().compareTo(pageToken) < 0);
            if ((types == null || types.contains(activity.type())) && afterToken
                    && (after == null || activity.createdAt().isAfter(after))
                    && (until == null || activity.createdAt().isBefore(until))) {
                selected.add(activity);
            }
        }
        selected.sort(ascending ? Comparator.comparing(SimActivity::id)
                : Comparator.comparing(SimActivity::id).reversed());
        ArrayNode json = SimJson.array();
        selected.stream().limit(pageSize).forEach(a -> json.add(SimJson.activity(a)));
        return json;
    }

    /**
     * The clock. Times not set by the admin API stay put, as a real session's do: the close 6 hours after the
     * simulator started and the open 18 hours after (1 and 7 hours while closed), a day later each day that passes.
     */
    public synchronized ObjectNode clock() {
        Instant now = Instant.now();
        Instant opens = nextOpen != null ? nextOpen : upcoming(open ? Duration.ofHours(18) : Duration.ofHours(1), now);
        return SimJson.clock(now, open, opens, sessionClose(now));
    }

    /** The close of the session under way (or the next one): when a day order placed now expires. */
    private Instant sessionClose(Instant now) {
        return nextClose != null ? nextClose : upcoming(open ? Duration.ofHours(6) : Duration.ofHours(7), now);
    }

    /** {@code GET /v2/calendar}: today's session is the clock's while it is open (see {@link SimCalendar.Session}). */
    public synchronized ArrayNode calendar(java.time.LocalDate start, java.time.LocalDate end) {
        SimCalendar.Session today = null;
        if (open) {
            java.time.ZonedDateTime now = Instant.now().atZone(SimJson.NEW_YORK);
            java.time.LocalTime opens = now.toLocalTime().isBefore(SimCalendar.OPEN) ? java.time.LocalTime.MIDNIGHT
                    : SimCalendar.OPEN;
            today = new SimCalendar.Session(now.toLocalDate(), opens, java.time.LocalTime.of(23, 59));
        }
        return calendar.days(start, end, today);
    }

    /** A symbol's daily closes as traded, and its cash dividends (by ex-date, per share) and splits (by date, ratio). */
    private record History(java.util.TreeMap<java.time.LocalDate, BigDecimal> closes,
            java.util.TreeMap<java.time.LocalDate, BigDecimal> dividends,
            java.util.TreeMap<java.time.LocalDate, BigDecimal> splits) {
    }

    /** Each symbol's daily history, for the bars endpoints. */
    private final Map<String, History> histories = new HashMap<>();

    /** The adjustments Alpaca's bars endpoints take ({@code adjustment}, comma-separated; raw when none is given). */
    static final java.util.Set<String> ADJUSTMENTS = java.util.Set.of("raw", "split", "dividend", "spin-off", "all");

    /**
     * {@code PUT /sim/bars/{symbol}}: the symbol's daily closes as traded, {@code {"closes": {"2026-11-02": "450.12"},
     * "dividends": {"2026-11-03": "1.50"}, "splits": {"2026-11-04": "4"}}} (dividends and splits optional), replaced.
     */
    public synchronized ObjectNode setCloses(String symbol, JsonNode body) {
        JsonNode given = body == null ? null : body.get("closes");
        if (given == null || !given.isObject()) {
            throw SimError.validation("closes must be an object of date to closing price");
        }
        History history = new History(days(given, "closes"), days(body.get("dividends"), "dividends"),
                days(body.get("splits"), "splits"));
        histories.put(symbol, history);
        return SimJson.MAPPER.createObjectNode().put("symbol", symbol).put("days", history.closes().size());
    }

    private static java.util.TreeMap<java.time.LocalDate, BigDecimal> days(JsonNode given, String field) {
        java.util.TreeMap<java.time.LocalDate, BigDecimal> days = new java.util.TreeMap<>();
        if (given == null || given.isNull()) {
            return days;
        }
        if (!given.isObject()) {
            throw SimError.validation(field + " must be an object of date to amount");
        }
        for (var entry : (Iterable<Map.Entry<String, JsonNode>>) given::fields) {
            days.put(SimCalendar.date(entry.getKey(), field), decimal(entry.getValue(), field + " of "
                    + entry.getKey(), true));
        }
        return days;
    }

    /**
     * The adjustments asked for: {@code raw} (the default), {@code split}, {@code dividend}, {@code spin-off},
     * {@code all}, comma-separated; an unknown, empty or repeated one is refused, as Alpaca does.
     */
    static java.util.Set<String> adjustments(String adjustment) {
        if (adjustment == null) {
            return java.util.Set.of("raw");
        }
        java.util.Set<String> asked = new java.util.HashSet<>();
        for (String one : adjustment.split(",", -1)) {
            if (!ADJUSTMENTS.contains(one) || !asked.add(one)) {
                throw SimError.badQuery("invalid adjustment: " + adjustment + " (raw, split, dividend, spin-off or "
                        + "all, comma-separated, each once)");
            }
        }
        return asked;
    }

    /**
     * A symbol's closes, adjusted: for a split, every close before it divided by its ratio; for a dividend, every close
     * before its ex-date multiplied by one less the dividend over the close the day before (as CRSP and Alpaca do).
     */
    private static java.util.TreeMap<java.time.LocalDate, BigDecimal> adjusted(History history,
            java.util.Set<String> adjustments) {
        boolean splits = adjustments.contains("split") || adjustments.contains("all");
        boolean dividends = adjustments.contains("dividend") || adjustments.contains("all");
        java.util.TreeMap<java.time.LocalDate, BigDecimal> closes = new java.util.TreeMap<>(history.closes());
        if (splits) {
            history.splits().forEach((day, ratio) -> closes.headMap(day, false).replaceAll((d, close) ->
                    close.divide(ratio, 12, java.math.RoundingMode.HALF_EVEN)));
        }
        if (dividends) {
            history.dividends().forEach((day, amount) -> {
                Map.Entry<java.time.LocalDate, BigDecimal> before = history.closes().lowerEntry(day);
                if (before == null) {
                    return;
                }
                BigDecimal factor = BigDecimal.ONE.subtract(amount.divide(before.getValue(), 12,
                        java.math.RoundingMode.HALF_EVEN));
                closes.headMap(day, false).replaceAll((d, close) -> close.multiply(factor));
            });
        }
        closes.replaceAll((d, close) -> close.setScale(4, java.math.RoundingMode.HALF_EVEN).stripTrailingZeros());
        return closes;
    }

    /**
     * {@code GET /v2/stocks/{symbol}/bars}, daily bars only, as Alpaca's market data API gives them: each bar's
     * {@code t} is the day's midnight in New York, in UTC; open, high, low and close are the day's close; pages of
     * {@code limit} bars with a {@code next_page_token}.
     */
    public synchronized ObjectNode bars(String symbol, String timeframe, java.time.LocalDate start,
            java.time.LocalDate end, int limit, String pageToken, String adjustment) {
        ObjectNode json = SimJson.MAPPER.createObjectNode();
        ArrayNode bars = json.putArray("bars");
        json.put("symbol", symbol);
        String next = page(List.of(symbol), timeframe, start, end, limit, pageToken, adjustment, (s, bar) -> bars
                .add(bar));
        json.put("next_page_token", next);
        return json;
    }

    /**
     * {@code GET /v2/stocks/bars?symbols=...}: daily bars of several symbols, {@code {"bars": {"SPY": [...]},
     * "next_page_token": ...}}, ordered by symbol then day; {@code limit} counts the bars of all symbols together.
     */
    public synchronized ObjectNode bars(List<String> symbols, String timeframe, java.time.LocalDate start,
            java.time.LocalDate end, int limit, String pageToken, String adjustment) {
        if (symbols.isEmpty() || symbols.stream().anyMatch(String::isBlank)) {
            throw SimError.badQuery("symbols is required: a comma-separated list of symbols");
        }
        ObjectNode json = SimJson.MAPPER.createObjectNode();
        ObjectNode bars = json.putObject("bars");
        String next = page(symbols, timeframe, start, end, limit, pageToken, adjustment,
                (symbol, bar) -> (bars.has(symbol) ? (ArrayNode) bars.get(symbol) : bars.putArray(symbol)).add(bar));
        json.put("next_page_token", next);
        return json;
    }

    /** One page of bars of {@code symbols}, in symbol then day order, from the page token's place; the next token. */
    private String page(List<String> symbols, String timeframe, java.time.LocalDate start, java.time.LocalDate end,
            int limit, String pageToken, String adjustment, java.util.function.BiConsumer<String, ObjectNode> add) {
        if (!"1Day".equals(timeframe) && !"1D".equals(timeframe)) {
            throw SimError.badQuery("invalid timeframe: the simulator serves daily bars (1Day) only");
        }
        if (limit < 1 || limit > 10_000) {
            throw SimError.badQuery("invalid limit: must be from 1 to 10000");
        }
        java.util.Set<String> adjustments = adjustments(adjustment);
        String fromSymbol = null;
        java.time.LocalDate fromDay = start;
        if (pageToken != null) {
            String[] place = new String(java.util.Base64.getUrlDecoder().decode(pageToken),
                    java.nio.charset.StandardCharsets.UTF_8).split("\\|", 2);
            if (place.length != 2) {
                throw SimError.badQuery("invalid page_token");
            }
            fromSymbol = place[0];
            fromDay = SimCalendar.date(place[1], "page_token");
        }
        int count = 0;
        for (String symbol : new java.util.TreeSet<>(symbols)) {
            if (fromSymbol != null && symbol.compareTo(fromSymbol) < 0) {
                continue;
            }
            History history = histories.get(symbol);
            if (history == null) {
                continue;
            }
            java.time.LocalDate from = symbol.equals(fromSymbol) ? fromDay : start;
            for (var day : adjusted(history, adjustments).subMap(from, true, end, true).entrySet()) {
                if (count == limit) {
                    return java.util.Base64.getUrlEncoder().encodeToString((symbol + "|" + day.getKey())
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
                BigDecimal close = day.getValue();
                ObjectNode bar = SimJson.MAPPER.createObjectNode();
                bar.put("t", day.getKey().atStartOfDay(SimJson.NEW_YORK).toInstant().toString())
                        .put("o", close).put("h", close).put("l", close).put("c", close).put("v", 1_000_000)
                        .put("n", 10_000).put("vw", close);
                add.accept(symbol, bar);
                count++;
            }
        }
        return null;
    }

    /** {@code PUT /sim/calendar}: the holidays and early closes, replaced. */
    public synchronized ObjectNode setCalendar(JsonNode body) {
        return calendar.replace(body);
    }

    /** {@code GET /v2/assets}: every asset, or those of one status. */
    public synchronized ArrayNode assets(String status) {
        ArrayNode json = SimJson.array();
        assets.values().stream().filter(a -> status == null || status.equals(a.status))
                .forEach(a -> json.add(SimJson.asset(a)));
        return json;
    }

    private Instant upcoming(Duration afterStart, Instant now) {
        Instant at = started.plus(afterStart);
        while (!at.isAfter(now)) {
            at = at.plus(Duration.ofDays(1));
        }
        return at;
    }

    public synchronized ObjectNode asset(String symbol) {
        SimAsset asset = assets.get(symbol);
        if (asset == null) {
            throw SimError.notFound("asset not found");
        }
        return SimJson.asset(asset);
    }

    /** Whether stream connections must leave authenticate and listen unanswered: the {@code silent_stream} fault. */
    public synchronized boolean streamSilent() {
        return silentStream;
    }

    /** Starts sending the account's trade updates to the sink; refused while the {@code drop_stream} fault holds. */
    public synchronized boolean subscribe(SimAccount account, StreamSink sink) {
        if (dropStream) {
            return false;
        }
        streams.computeIfAbsent(account.id, id -> new CopyOnWriteArrayList<>()).add(sink);
        return true;
    }

    public synchronized void unsubscribe(SimAccount account, StreamSink sink) {
        List<StreamSink> sinks = streams.get(account.id);
        if (sinks != null) {
            sinks.remove(sink);
        }
    }

    @Override
    public void close() {
        fills.shutdownNow();
    }

    // ---- fills -----------------------------------------------------------------------------------------------

    private void scheduleFills(SimAccount account, SimOrder order) {
        order.scheduled = true;
        BigDecimal ratio = partialFillRatio;
        if (ratio.signum() > 0) {
            fills.schedule(() -> fill(account, order, ratio), fillLatencyMs, TimeUnit.MILLISECONDS);
            fills.schedule(() -> fill(account, order, BigDecimal.ONE), 2 * fillLatencyMs, TimeUnit.MILLISECONDS);
        } else {
            fills.schedule(() -> fill(account, order, BigDecimal.ONE), fillLatencyMs, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void announceNew(SimAccount account, SimOrder order) {
        if ("accepted".equals(order.status)) {
            order.status = "new";
            order.updatedAt = Instant.now();
            publish(account, "new", order, null, null);
        }
    }

    /** Fills {@code ratio} of the order's original size, or everything left when the ratio is one. */
    private synchronized void fill(SimAccount account, SimOrder order, BigDecimal ratio) {
        if (!order.isOpen()) {
            return;
        }
        if ("accepted".equals(order.status)) {
            announceNew(account, order);
        }
        OrderFault fault = orderFaults.get(order.asset.symbol);
        if (fault != null && !fault.kind().equals("refuse")) {
            end(account, order, fault.kind().equals("cancel") ? "canceled" : "expired");
            return;
        }
        SimAsset asset = order.asset;
        BigDecimal price = asset.price;
        boolean all = ratio.compareTo(BigDecimal.ONE) == 0;
        BigDecimal qty;
        BigDecimal amount;
        if (order.notional != null) {
            amount = all ? order.remaining() : order.notional.multiply(ratio).setScale(2, RoundingMode.DOWN);
            qty = amount.divide(price, 9, RoundingMode.DOWN);
        } else {
            qty = all ? order.remaining() : order.qty.multiply(ratio).setScale(asset.fractionable ? 9 : 0, RoundingMode.DOWN);
            amount = qty.multiply(price).setScale(2, RoundingMode.HALF_UP);
        }
        if (qty.signum() <= 0) {
            if (all) {
                end(account, order, "canceled");
            }
            return;
        }
        if (!order.isBuy()) {
            SimAccount.Holding held = account.holdings.get(asset.symbol);
            if (held == null || held.qty.compareTo(qty) < 0) {
                order.status = "rejected";
                order.failedAt = Instant.now();
                order.updatedAt = order.failedAt;
                publish(account, "rejected", order, null, null);
                return;
            }
        }
        SimAccount.Holding holding = account.holdings.computeIfAbsent(asset.symbol, s -> new SimAccount.Holding());
        if (order.isBuy()) {
            account.cash = account.cash.subtract(amount);
            account.lowestCash = account.lowestCash.min(account.cash);
            account.cashAfterBuyFills.merge(order.clientOrderId, account.cash, BigDecimal::min);
            holding.costBasis = holding.costBasis.add(amount);
            holding.qty = holding.qty.add(qty);
        } else {
            BigDecimal costPerShare = holding.costBasis.divide(holding.qty, 10, RoundingMode.HALF_UP);
            account.cash = account.cash.add(amount);
            holding.qty = holding.qty.subtract(qty);
            holding.costBasis = holding.qty.signum() == 0 ? BigDecimal.ZERO
                    : costPerShare.multiply(holding.qty).setScale(2, RoundingMode.HALF_UP);
        }
        if (holding.qty.signum() == 0) {
            account.holdings.remove(asset.symbol);
        }
        BigDecimal previousValue = order.filledAvgPrice == null ? BigDecimal.ZERO
                : order.filledAvgPrice.multiply(order.filledQty);
        order.filledQty = order.filledQty.add(qty);
        order.filledNotional = order.filledNotional.add(amount);
        order.filledAvgPrice = previousValue.add(qty.multiply(price))
                .divide(order.filledQty, 4, RoundingMode.HALF_UP).stripTrailingZeros();
        Instant now = Instant.now();
        order.updatedAt = now;
        boolean done = all || order.remaining().signum() <= 0;
        order.status = done ? "filled" : "partially_filled";
        if (done) {
            order.filledAt = now;
        }
        account.activities.add(new SimActivity(ACTIVITY_TIME.format(activityTime(now)) + "::"
                + uuid("activity:" + next()), "FILL", amount, now, "executed", new SimActivity.Fill(done ? "fill"
                : "partial_fill", price, qty, order.isBuy() ? "buy" : "sell", asset.symbol,
                order.remaining().max(BigDecimal.ZERO), order.filledQty, order.id, order.status)));
        publish(account, done ? "fill" : "partial_fill", order, qty, price);
    }

    /** An activity time after every earlier one: ids sort in time. */
    private Instant activityTime(Instant wanted) {
        Instant when = wanted.isAfter(lastActivityTime) ? wanted : lastActivityTime.plusMillis(1);
        lastActivityTime = when;
        return when;
    }

    /**
     * {@code POST /sim/accounts/{id}/holdings}: the account holds {@code qty} of {@code symbol}, bought at {@code price}
     * on {@code at} (in the past: a position from before the rebalancer), paid from its cash, with the FILL activity
     * Alpaca would show for it.
     */
    public synchronized ObjectNode holdBoughtAt(String accountId, String symbol, BigDecimal qty, BigDecimal price,
            Instant at) {
        SimAccount account = accountsById.get(accountId);
        if (account == null) {
            throw SimError.notFound("account not found: " + accountId);
        }
        SimAsset asset = assets.get(symbol);
        if (asset == null) {
            throw SimError.notFound("asset not found: " + symbol);
        }
        if (qty == null || qty.signum() <= 0 || price == null || price.signum() <= 0 || at == null) {
            throw SimError.validation("qty and price must be positive, at a time");
        }
        BigDecimal amount = qty.multiply(price).setScale(2, RoundingMode.HALF_UP);
        SimAccount.Holding holding = account.holdings.computeIfAbsent(symbol, s -> new SimAccount.Holding());
        holding.qty = holding.qty.add(qty);
        holding.costBasis = holding.costBasis.add(amount);
        account.cash = account.cash.subtract(amount);
        account.lowestCash = account.lowestCash.min(account.cash);
        String orderId = uuid("order:" + next());
        SimActivity activity = new SimActivity(ACTIVITY_TIME.format(at) + "::" + uuid("activity:" + next()), "FILL",
                amount, at, "executed", new SimActivity.Fill("fill", price, qty, "buy", symbol, BigDecimal.ZERO, qty,
                orderId, "filled"));
        account.activities.add(activity);
        return SimJson.activity(activity);
    }

    private void publish(SimAccount account, String event, SimOrder order, BigDecimal qty, BigDecimal price) {
        List<StreamSink> sinks = streams.get(account.id);
        if (sinks == null || sinks.isEmpty()) {
            return;
        }
        ObjectNode data = SimJson.MAPPER.createObjectNode();
        data.put("event", event);
        data.put("execution_id", uuid("execution:" + next()));
        data.set("order", SimJson.order(order));
        data.put("timestamp", SimJson.time(order.updatedAt));
        if (qty != null) {
            SimAccount.Holding holding = account.holdings.get(order.asset.symbol);
            data.put("position_qty", SimJson.quantity(holding == null ? BigDecimal.ZERO : holding.qty));
            data.put("price", price.toPlainString());
            data.put("qty", SimJson.quantity(qty));
        }
        ObjectNode message = SimJson.MAPPER.createObjectNode();
        message.put("stream", "trade_updates");
        message.set("data", data);
        String text = message.toString();
        sinks.forEach(sink -> sink.send(text));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private ObjectNode renderAccount(SimAccount account) {
        BigDecimal longValue = BigDecimal.ZERO;
        for (Map.Entry<String, SimAccount.Holding> holding : account.holdings.entrySet()) {
            longValue = longValue.add(holding.getValue().qty.multiply(assets.get(holding.getKey()).price));
        }
        return SimJson.account(account, longValue, buyingPower(account), nonMarginableBuyingPower(account));
    }

    /**
     * What a buy may cost: the cash (times the multiplier on a margin account, which lends the rest) less what open
     * buys may still spend.
     */
    private BigDecimal buyingPower(SimAccount account) {
        return account.cash.max(BigDecimal.ZERO).multiply(account.multiplier).subtract(reservedForBuys(account))
                .max(BigDecimal.ZERO);
    }

    /** The cash itself less what open buys may still spend: what can be bought without borrowing. */
    private BigDecimal nonMarginableBuyingPower(SimAccount account) {
        return account.cash.subtract(reservedForBuys(account)).max(BigDecimal.ZERO);
    }

    private BigDecimal reservedForBuys(SimAccount account) {
        BigDecimal reserved = BigDecimal.ZERO;
        for (SimOrder order : account.orders.values()) {
            if (order.isOpen() && order.isBuy()) {
                reserved = reserved.add(order.notional != null ? order.remaining()
                        : order.remaining().multiply(order.asset.price));
            }
        }
        return reserved;
    }

    private BigDecimal heldForSells(SimAccount account, String symbol) {
        BigDecimal held = BigDecimal.ZERO;
        for (SimOrder order : account.orders.values()) {
            if (order.isOpen() && !order.isBuy() && order.asset.symbol.equals(symbol)) {
                held = held.add(order.notional != null
                        ? order.remaining().divide(order.asset.price, 9, RoundingMode.DOWN) : order.remaining());
            }
        }
        return held;
    }

    private long next() {
        return ++sequence;
    }

    private static String uuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static void requireText(String value, String field) {
        if (value == null || value.isBlank()) {
            throw SimError.validation(field + " is required");
        }
    }

    static BigDecimal decimal(JsonNode node, String field, boolean positive) {
        if (node == null || node.isNull() || !(node.isTextual() || node.isNumber())) {
            throw SimError.validation(field + " must be a decimal string");
        }
        try {
            BigDecimal value = new BigDecimal(node.asText());
            if (positive && value.signum() <= 0) {
                throw SimError.validation(field + " must be positive");
            }
            return value;
        } catch (NumberFormatException e) {
            throw SimError.validation(field + " is not a decimal: " + node.asText());
        }
    }

    private static Map<String, String> orderedMap(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    /** 429 with the headers that tell the client when to come back. */
    static final class RateLimitedError extends RuntimeException {
        final RateLimit limit;

        RateLimitedError(RateLimit limit) {
            super("too many requests", null, false, false);
            this.limit = limit;
        }
    }
}
