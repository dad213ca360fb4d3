package dev.rebalancer.alpaca;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebalancer.alpaca.model.Account;
import dev.rebalancer.alpaca.model.Activity;
import dev.rebalancer.alpaca.model.Asset;
import dev.rebalancer.alpaca.model.Bar;
import dev.rebalancer.alpaca.model.CalendarDay;
import dev.rebalancer.alpaca.model.MarketClock;
import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.alpaca.model.OrderRequest;
import dev.rebalancer.alpaca.model.Position;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A typed client for one Alpaca account over the Trading API v2 subset the system uses. Blocking; call it from worker
 * threads. Every call has a timeout and spends from the account's request budget, waiting rather than exceeding it.
 * Reads are repeated with backoff on 5xx and timeouts; nothing that creates or cancels an order is repeated unless
 * Alpaca refused it outright with 429 — after any other failure of an order submission, look the order up by its
 * client order id ({@link #orderByClientOrderId}), as {@link AlpacaException#outcomeUnknown()} says.
 */
public final class AlpacaClient {

    private static final System.Logger LOG = System.getLogger(AlpacaClient.class.getName());
    private static final ObjectMapper JSON = AlpacaJson.mapper();
    private static final int ACTIVITY_PAGE_SIZE = 100;

    private final AlpacaEndpoint endpoint;
    private final AlpacaClientOptions options;
    private final HttpClient http;
    private final RequestBudget budget;
    private final Clock clock;
    private final RequestBudget.Sleeper sleeper;
    private final java.util.concurrent.atomic.AtomicLong sent;
    /** Every request's purpose, or null: each request's own (orders, fill checks, reads). */
    private final RequestBudget.Purpose purpose;
    private final RequestObserver observer;

    /** A client with a budget of its own: {@link AlpacaClientOptions#requestsPerMinute()}. */
    public AlpacaClient(AlpacaEndpoint endpoint, AlpacaClientOptions options) {
        this(endpoint, options, Clock.systemUTC(), RequestBudget.Sleeper.THREAD);
    }

    /** A client spending from {@code budget}, which others on the same key may share. */
    public AlpacaClient(AlpacaEndpoint endpoint, AlpacaClientOptions options, RequestBudget budget) {
        this(endpoint, options, budget, Clock.systemUTC(), RequestBudget.Sleeper.THREAD, newHttp(options),
                new java.util.concurrent.atomic.AtomicLong(), null, RequestObserver.NONE);
    }

    AlpacaClient(AlpacaEndpoint endpoint, AlpacaClientOptions options, Clock clock, RequestBudget.Sleeper sleeper) {
        this(endpoint, options, new MinuteWindow(options.requestsPerMinute(), clock, sleeper), clock, sleeper,
                newHttp(options), new java.util.concurrent.atomic.AtomicLong(), null, RequestObserver.NONE);
    }

    private AlpacaClient(AlpacaEndpoint endpoint, AlpacaClientOptions options, RequestBudget budget, Clock clock,
            RequestBudget.Sleeper sleeper, HttpClient http, java.util.concurrent.atomic.AtomicLong sent,
            RequestBudget.Purpose purpose, RequestObserver observer) {
        this.endpoint = endpoint;
        this.options = options;
        this.budget = budget;
        this.clock = clock;
        this.sleeper = sleeper;
        this.http = http;
        this.sent = sent;
        this.purpose = purpose;
        this.observer = observer;
    }

    /**
     * One HTTP client per connect timeout for the whole process, shared by every account's client: its connections to
     * an Alpaca host are reused across accounts, and hundreds of accounts do not mean hundreds of selector threads.
     */
    private static final java.util.Map<java.time.Duration, HttpClient> HTTP =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static HttpClient newHttp(AlpacaClientOptions options) {
        return HTTP.computeIfAbsent(options.connectTimeout(),
                timeout -> HttpClient.newBuilder().connectTimeout(timeout).build());
    }

    /**
     * The same client (connection, budget, count of requests) for requests nobody is waiting on: each is
     * {@link RequestBudget.Purpose#BACKGROUND}, admitted after a run's orders, fill checks and reads.
     */
    public AlpacaClient background() {
        return new AlpacaClient(endpoint, options, budget, clock, sleeper, http, sent,
                RequestBudget.Purpose.BACKGROUND, observer);
    }

    /** The same client (connection, budget, count of requests), telling {@code observer} of every request. */
    public AlpacaClient observedBy(RequestObserver observer) {
        return new AlpacaClient(endpoint, options, budget, clock, sleeper, http, sent, purpose, observer);
    }

    /** What is left of the client's request budget in the current minute, where its budget can tell. */
    public java.util.OptionalInt budgetRemaining() {
        return budget.remaining();
    }

    public AlpacaEndpoint endpoint() {
        return endpoint;
    }

    /** HTTP requests this client has sent to Alpaca (answered or not), retries included. */
    public long requestsSent() {
        return sent.get();
    }

    /** {@code GET /v2/account}. */
    public Account account() {
        return call("GET", "/v2/account", null, type(Account.class), Retry.SAFE);
    }

    /** {@code GET /v2/positions}. */
    public List<Position> positions() {
        return call("GET", "/v2/positions", null, listOf(Position.class), Retry.SAFE);
    }

    /** {@code GET /v2/positions/{symbol}}; empty when the account holds none. */
    public Optional<Position> position(String symbol) {
        return optional(() -> call("GET", "/v2/positions/" + segment(symbol), null, type(Position.class), Retry.SAFE));
    }

    /** {@code DELETE /v2/positions/{symbol}}: sells the whole position; returns the order Alpaca created. */
    public Order closePosition(String symbol) {
        return call("DELETE", "/v2/positions/" + segment(symbol), null, type(Order.class), Retry.ONLY_IF_REFUSED);
    }

    /** {@code POST /v2/orders}. Never repeated blind; see the class comment. */
    public Order submitOrder(OrderRequest order) {
        return call("POST", "/v2/orders", order, type(Order.class), Retry.ONLY_IF_REFUSED);
    }

    /** {@code GET /v2/orders} with {@code status} (open, closed, all), {@code limit} and {@code direction}. */
    public List<Order> orders(String status, int limit, String direction) {
        return orders(status, limit, direction, null);
    }

    /** {@code GET /v2/orders}, only orders submitted after {@code after} (null: any). */
    public List<Order> orders(String status, int limit, String direction, Instant after) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("status", status);
        query.put("limit", Integer.toString(limit));
        query.put("direction", direction);
        if (after != null) {
            query.put("after", after.toString());
        }
        return call("GET", "/v2/orders" + query(query), null, listOf(Order.class), Retry.SAFE);
    }

    /** {@code GET /v2/orders/{order_id}}. */
    public Order order(String orderId) {
        return call("GET", "/v2/orders/" + segment(orderId), null, type(Order.class), Retry.SAFE);
    }

    /** {@code GET /v2/orders:by_client_order_id}; empty when Alpaca has no order with that client order id. */
    public Optional<Order> orderByClientOrderId(String clientOrderId) {
        return optional(() -> call("GET", "/v2/orders:by_client_order_id" + query(Map.of("client_order_id", clientOrderId)),
                null, type(Order.class), Retry.SAFE));
    }

    /** {@code DELETE /v2/orders/{order_id}}: asks Alpaca to cancel an open order. */
    public void cancelOrder(String orderId) {
        call("DELETE", "/v2/orders/" + segment(orderId), null, type(JsonNode.class), Retry.ONLY_IF_REFUSED);
    }

    /**
     * One page of {@code GET /v2/account/activities?activity_types=...} (one request for all the types), oldest first,
     * after {@code pageToken} (the id of the last activity already seen) or, without one, after {@code after}.
     */
    public List<Activity> activities(List<String> activityTypes, Instant after, String pageToken, int pageSize) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("activity_types", String.join(",", activityTypes));
        query.put("direction", "asc");
        query.put("page_size", Integer.toString(pageSize));
        if (after != null) {
            query.put("after", after.toString());
        }
        if (pageToken != null) {
            query.put("page_token", pageToken);
        }
        return call("GET", "/v2/account/activities" + query(query), null, listOf(Activity.class), Retry.SAFE);
    }

    /** Every activity of the types after {@code pageToken} (or after {@code after}), oldest first, through all pages. */
    public List<Activity> activitiesAfter(List<String> activityTypes, Instant after, String pageToken) {
        List<Activity> all = new ArrayList<>();
        String token = pageToken;
        while (true) {
            List<Activity> page = activities(activityTypes, token == null ? after : null, token, ACTIVITY_PAGE_SIZE);
            all.addAll(page);
            if (page.size() < ACTIVITY_PAGE_SIZE) {
                return all;
            }
            token = page.get(page.size() - 1).id();
        }
    }

    /** {@code GET /v2/clock}. */
    public MarketClock clock() {
        return call("GET", "/v2/clock", null, type(MarketClock.class), Retry.SAFE);
    }

    /** {@code GET /v2/calendar}: the trading days from {@code start} to {@code end}, both included. */
    public List<CalendarDay> calendar(java.time.LocalDate start, java.time.LocalDate end) {
        Map<String, String> query = new java.util.LinkedHashMap<>();
        query.put("start", start.toString());
        query.put("end", end.toString());
        return call("GET", "/v2/calendar" + query(query), null, listOf(CalendarDay.class), Retry.SAFE);
    }

    /**
     * {@code GET /v2/stocks/{symbol}/bars} on the market data host: the symbol's daily bars from {@code start} to
     * {@code end}, adjusted for splits and dividends, from the IEX feed (free with every account), every page.
     */
    public List<Bar> dailyBars(String symbol, java.time.LocalDate start, java.time.LocalDate end) {
        List<Bar> bars = new ArrayList<>();
        String token = null;
        do {
            Bar.Page page = call(endpoint.dataUrl(), "GET", "/v2/stocks/" + segment(symbol) + "/bars"
                    + query(barsQuery(start, end, Bar.Adjustment.ALL, token)), null, type(Bar.Page.class), Retry.SAFE);
            if (page.bars() != null) {
                bars.addAll(page.bars());
            }
            token = page.nextPageToken();
        } while (token != null && !token.isEmpty());
        return bars;
    }

    /**
     * {@code GET /v2/stocks/bars} on the market data host: the daily bars of several symbols from {@code start} to
     * {@code end}, adjusted as asked, from the IEX feed, every page (a page's limit counts the bars of all symbols).
     * A symbol with no bar is absent from the answer.
     */
    public Map<String, List<Bar>> dailyBars(java.util.Collection<String> symbols, java.time.LocalDate start,
            java.time.LocalDate end, Bar.Adjustment adjustment) {
        Map<String, List<Bar>> bars = new java.util.TreeMap<>();
        String token = null;
        do {
            Map<String, String> query = new java.util.LinkedHashMap<>();
            query.put("symbols", String.join(",", symbols));
            query.putAll(barsQuery(start, end, adjustment, token));
            Bar.Pages page = call(endpoint.dataUrl(), "GET", "/v2/stocks/bars" + query(query), null,
                    type(Bar.Pages.class), Retry.SAFE);
            if (page.bars() != null) {
                page.bars().forEach((symbol, some) -> bars.computeIfAbsent(symbol, s -> new ArrayList<>())
                        .addAll(some));
            }
            token = page.nextPageToken();
        } while (token != null && !token.isEmpty());
        return bars;
    }

    private static Map<String, String> barsQuery(java.time.LocalDate start, java.time.LocalDate end,
            Bar.Adjustment adjustment, String token) {
        Map<String, String> query = new java.util.LinkedHashMap<>();
        query.put("timeframe", "1Day");
        query.put("start", start.toString());
        query.put("end", end.toString());
        query.put("adjustment", adjustment.wire());
        query.put("feed", "iex");
        query.put("limit", "1000");
        if (token != null) {
            query.put("page_token", token);
        }
        return query;
    }

    /** {@code GET /v2/assets/{symbol}}; empty when Alpaca knows no such asset. */
    public Optional<Asset> asset(String symbol) {
        return optional(() -> call("GET", "/v2/assets/" + segment(symbol), null, type(Asset.class), Retry.SAFE));
    }

    /** Opens the account's {@code trade_updates} stream; it reconnects by itself until closed. */
    public TradeUpdatesStream tradeUpdates(TradeUpdatesStream.Listener listener) {
        return TradeUpdatesStream.open(http, endpoint, options, listener);
    }

    private enum Retry {
        /** Reads: repeat on 429, 5xx and no answer. */
        SAFE,
        /** Writes: repeat only when Alpaca refused with 429, which means it did nothing. */
        ONLY_IF_REFUSED
    }

    private <T> T call(String method, String pathAndQuery, Object body, JavaType resultType, Retry retry) {
        return call(endpoint.baseUrl(), method, pathAndQuery, body, resultType, retry);
    }

    private <T> T call(URI base, String method, String pathAndQuery, Object body, JavaType resultType, Retry retry) {
        Duration backoff = options.initialBackoff();
        for (int attempt = 1; ; attempt++) {
            boolean last = attempt >= options.maxAttempts();
            try {
                return once(base, method, pathAndQuery, body, resultType);
            } catch (AlpacaException.RateLimited e) {
                if (last) {
                    throw e;
                }
                budget.pauseUntil(e.resetAt().orElse(clock.instant().plus(backoff)));
                LOG.log(System.Logger.Level.WARNING, "{0} {1}: rate limited by Alpaca, waiting for the reset",
                        method, path(pathAndQuery));
            } catch (AlpacaException e) {
                if (last || retry != Retry.SAFE || !e.outcomeUnknown()) {
                    throw e;
                }
                LOG.log(System.Logger.Level.WARNING, "{0} {1} failed ({2}); attempt {3} of {4} in {5} ms", method,
                        path(pathAndQuery), e.getMessage(), attempt + 1, options.maxAttempts(), backoff.toMillis());
                pause(backoff);
            }
            backoff = min(backoff.multipliedBy(2), options.maxBackoff());
        }
    }

    private <T> T once(URI base, String method, String pathAndQuery, Object body, JavaType resultType) {
        pauseForBudget(purposeOf(method, pathAndQuery));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .timeout(options.requestTimeout())
                .header("APCA-API-KEY-ID", endpoint.keyId())
                .header("APCA-API-SECRET-KEY", endpoint.secretKey())
                .header("Accept", "application/json");
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(write(body)));
        }
        HttpResponse<byte[]> response;
        sent.incrementAndGet();
        long started = System.nanoTime();
        int answered = RequestObserver.NO_ANSWER;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            answered = response.statusCode();
        } catch (HttpTimeoutException e) {
            throw new AlpacaException.Unavailable(method + " " + path(pathAndQuery) + ": no answer within "
                    + options.requestTimeout().toMillis() + " ms", e);
        } catch (IOException e) {
            throw new AlpacaException.Unavailable(method + " " + path(pathAndQuery) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AlpacaException.Unavailable(method + " " + path(pathAndQuery) + ": interrupted", e);
        } finally {
            observe(method, pathAndQuery, answered, started);
        }
        String reset = response.headers().firstValue("X-RateLimit-Reset").orElse(null);
        if ("0".equals(response.headers().firstValue("X-RateLimit-Remaining").orElse(null)) && reset != null) {
            budget.pauseUntil(Instant.ofEpochSecond(Long.parseLong(reset.trim())));
        }
        int status = response.statusCode();
        if (status / 100 != 2) {
            throw AlpacaException.classify(status, readTree(response.body()), reset);
        }
        if (status == 204 || response.body().length == 0) {
            return null;
        }
        try {
            return JSON.readValue(response.body(), resultType);
        } catch (IOException e) {
            throw new AlpacaException.ServerError(status, null,
                    "unreadable answer to " + method + " " + path(pathAndQuery) + ": " + e.getMessage());
        }
    }

    private void observe(String method, String pathAndQuery, int status, long startedNanos) {
        if (observer == RequestObserver.NONE) {
            return;
        }
        try {
            observer.answered(method, RequestObserver.endpointOf(pathAndQuery), status,
                    Duration.ofNanos(System.nanoTime() - startedNanos));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "request observer failed: {0}", e.toString());
        }
    }

    private RequestBudget.Purpose purposeOf(String method, String pathAndQuery) {
        if (purpose != null) {
            return purpose;
        }
        if (!method.equals("GET")) {
            return RequestBudget.Purpose.ORDER;
        }
        return pathAndQuery.startsWith("/v2/orders") ? RequestBudget.Purpose.FILL_CHECK : RequestBudget.Purpose.READ;
    }

    private void pauseForBudget(RequestBudget.Purpose purpose) {
        try {
            budget.acquire(purpose);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AlpacaException.Unavailable("interrupted while waiting for the request budget", e);
        }
    }

    private void pause(Duration duration) {
        try {
            sleeper.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AlpacaException.Unavailable("interrupted while backing off", e);
        }
    }

    private static <T> Optional<T> optional(java.util.function.Supplier<T> call) {
        try {
            return Optional.ofNullable(call.get());
        } catch (AlpacaException.NotFound e) {
            return Optional.empty();
        }
    }

    private static byte[] write(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write request body", e);
        }
    }

    private static JsonNode readTree(byte[] body) {
        try {
            return body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static JavaType type(Class<?> type) {
        return JSON.getTypeFactory().constructType(type);
    }

    private static JavaType listOf(Class<?> element) {
        return JSON.getTypeFactory().constructCollectionType(List.class, element);
    }

    private static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String query(Map<String, String> params) {
        return params.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&", "?", ""));
    }

    private static String path(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
