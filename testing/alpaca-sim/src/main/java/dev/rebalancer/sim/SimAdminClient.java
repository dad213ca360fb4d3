package dev.rebalancer.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Drives a running simulator through its admin API, as a script would; for tests, benchmarks and the demo. */
public final class SimAdminClient {

    private final URI baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public SimAdminClient(URI baseUrl) {
        this.baseUrl = baseUrl;
    }

    /** Creates an account and returns it as {@code GET /v2/account} shows it. */
    public JsonNode createAccount(String keyId, String secretKey, String cash) {
        ObjectNode body = object().put("api_key_id", keyId).put("api_secret_key", secretKey).put("cash", cash);
        return call("POST", "/sim/accounts", body);
    }

    /** Deposits cash and returns the {@code CSD} activity. */
    public JsonNode deposit(String accountId, String amount) {
        return call("POST", "/sim/accounts/" + accountId + "/deposits", object().put("amount", amount));
    }

    /**
     * Posts a cash activity ({@code CSD} or {@code JNLC}) at {@code at} (null: now), its id's uuid part {@code uuid}
     * (null: a fresh one): back-dated, or sharing another's timestamp.
     */
    public JsonNode deposit(String accountId, String amount, java.time.Instant at, String uuid, String type) {
        ObjectNode body = object().put("amount", amount);
        if (at != null) {
            body.put("at", at.toString());
        }
        if (uuid != null) {
            body.put("uuid", uuid);
        }
        if (type != null) {
            body.put("type", type);
        }
        return call("POST", "/sim/accounts/" + accountId + "/deposits", body);
    }

    /** Alpaca changes an activity's status after the fact: {@code executed}, {@code correct} or {@code canceled}. */
    public JsonNode activityStatus(String accountId, String activityId, String status) {
        return call("PUT", "/sim/accounts/" + accountId + "/activities/" + activityId, object().put("status", status));
    }

    /** The account holds {@code qty} of {@code symbol} bought at {@code price} on {@code at}, with its FILL activity. */
    public JsonNode holdBoughtAt(String accountId, String symbol, String qty, String price, java.time.Instant at) {
        return call("POST", "/sim/accounts/" + accountId + "/holdings", object().put("symbol", symbol)
                .put("qty", qty).put("price", price).put("at", at.toString()));
    }

    /** The daily closes the bars endpoints serve for {@code symbol}, replaced (no dividends, no splits). */
    public JsonNode closes(String symbol, Map<java.time.LocalDate, String> closes) {
        return closes(symbol, closes, Map.of(), Map.of());
    }

    /**
     * The daily closes (as traded) the bars endpoints serve for {@code symbol}, with its cash dividends per share by
     * ex-date and its splits by date (their ratio), replaced; the endpoints adjust them as asked.
     */
    public JsonNode closes(String symbol, Map<java.time.LocalDate, String> closes,
            Map<java.time.LocalDate, String> dividends, Map<java.time.LocalDate, String> splits) {
        ObjectNode body = object();
        ObjectNode days = body.putObject("closes");
        closes.forEach((day, close) -> days.put(day.toString(), close));
        ObjectNode paid = body.putObject("dividends");
        dividends.forEach((day, amount) -> paid.put(day.toString(), amount));
        ObjectNode split = body.putObject("splits");
        splits.forEach((day, ratio) -> split.put(day.toString(), ratio));
        return call("PUT", "/sim/bars/" + symbol, body);
    }

    public JsonNode prices(Map<String, String> prices) {
        ObjectNode body = object();
        prices.forEach(body::put);
        return call("PUT", "/sim/prices", body);
    }

    /** A stock split: {@code ratio} new shares for one (2: 2-for-1), price and every holding adjusted. */
    public JsonNode split(String symbol, String ratio) {
        return call("POST", "/sim/splits", object().put("symbol", symbol).put("ratio", ratio));
    }

    /** Sets one asset's price and flags. */
    public JsonNode asset(String symbol, String price, boolean fractionable, boolean tradable) {
        ObjectNode body = object();
        body.putObject(symbol).put("price", price).put("fractionable", fractionable).put("tradable", tradable);
        return call("PUT", "/sim/prices", body);
    }

    /** Sets the symbol's price and whether Alpaca has a current quote for it (without, positions show no current_price). */
    public JsonNode quoted(String symbol, String price, boolean quoted) {
        ObjectNode body = object();
        body.putObject(symbol).put("price", price).put("quoted", quoted);
        return call("PUT", "/sim/prices", body);
    }

    /** Sets whether Alpaca lists the asset as {@code active} or {@code inactive} (delisted), and whether it is tradable. */
    public JsonNode assetStatus(String symbol, String price, String status, boolean tradable) {
        ObjectNode body = object();
        body.putObject(symbol).put("price", price).put("status", status).put("tradable", tradable);
        return call("PUT", "/sim/prices", body);
    }

    /** Replaces the market calendar's holidays and early closes ({@code "YYYY-MM-DD"} to {@code "HH:MM"}). */
    public JsonNode calendar(java.util.Collection<String> holidays, Map<String, String> earlyCloses) {
        ObjectNode body = object();
        holidays.forEach(body.putArray("holidays")::add);
        earlyCloses.forEach(body.putObject("early_closes")::put);
        return call("PUT", "/sim/calendar", body);
    }

    public JsonNode clock(boolean isOpen) {
        return call("PUT", "/sim/clock", object().put("is_open", isOpen));
    }

    /** The clock with the next open and close it reports (a market session of the test's making). */
    public JsonNode clock(boolean isOpen, java.time.Instant nextOpen, java.time.Instant nextClose) {
        return call("PUT", "/sim/clock", object().put("is_open", isOpen).put("next_open", nextOpen.toString())
                .put("next_close", nextClose.toString()));
    }

    public JsonNode config(long fillLatencyMs, String partialFillRatio) {
        return call("PUT", "/sim/config",
                object().put("fill_latency_ms", fillLatencyMs).put("partial_fill_ratio", partialFillRatio));
    }

    /** Sets only the given faults; pass {@code null} to leave one as it is. */
    public JsonNode faults(Integer rejectNextOrders, Double serverErrorRate, Integer requestsPerMinute,
            Boolean dropStream) {
        ObjectNode body = object();
        if (rejectNextOrders != null) {
            body.put("reject_next_orders", rejectNextOrders);
        }
        if (serverErrorRate != null) {
            body.put("server_error_rate", serverErrorRate);
        }
        if (requestsPerMinute != null) {
            body.put("requests_per_minute", requestsPerMinute);
        }
        if (dropStream != null) {
            body.put("drop_stream", dropStream);
        }
        return call("PUT", "/sim/faults", body);
    }

    /**
     * A budget of {@code requests} per {@code windowMs} instead of per minute: Alpaca's 429s, and the reset header
     * that goes with them, within a test's patience.
     */
    public JsonNode rateLimit(int requests, long windowMs) {
        return call("PUT", "/sim/faults",
                object().put("requests_per_minute", requests).put("rate_limit_window_ms", windowMs));
    }

    /** While {@code silent}, stream connections get no answer to authenticate or listen (a stalled handshake). */
    public JsonNode silentStream(boolean silent) {
        return call("PUT", "/sim/faults", object().put("silent_stream", silent));
    }

    /** Holds back every Trading API answer to the account's keys by {@code latencyMs} (0: none): a slow Alpaca. */
    public JsonNode latency(String accountId, long latencyMs) {
        return call("PUT", "/sim/accounts/" + accountId + "/latency", object().put("latency_ms", latencyMs));
    }

    /**
     * How many Trading API requests the account's keys made ({@code requests}), how many were refused with 429
     * ({@code rate_limited}), the lowest cash the account ever had ({@code lowest_cash}), and the lowest cash right
     * after a fill of each buy, by client order id ({@code cash_after_buy_fills}).
     */
    public JsonNode stats(String accountId) {
        return call("GET", "/sim/accounts/" + accountId + "/stats", null);
    }

    /** Every order submission of the account, by client order id and outcome. */
    public Submissions submissions(String accountId) {
        return new Submissions(call("GET", "/sim/accounts/" + accountId + "/submissions", null));
    }

    /** The account's multiplier: 2 or 4 make it a margin account, 1 a cash account. */
    public JsonNode margin(String accountId, String multiplier) {
        return call("PUT", "/sim/accounts/" + accountId + "/margin", object().put("multiplier", multiplier));
    }

    /** A margin account with Alpaca's day-trade count of the last five sessions and pattern-day-trader flag. */
    public JsonNode margin(String accountId, String multiplier, int daytradeCount, boolean patternDayTrader) {
        return call("PUT", "/sim/accounts/" + accountId + "/margin", object().put("multiplier", multiplier)
                .put("daytrade_count", daytradeCount).put("pattern_day_trader", patternDayTrader));
    }

    /** Orders for the symbol are refused at the POST, or end canceled or expired; {@code none} ends the fault. */
    public JsonNode orderFault(String symbol, String fault, String message) {
        ObjectNode body = object().put("fault", fault);
        if (message != null) {
            body.put("message", message);
        }
        return call("PUT", "/sim/faults/orders/" + symbol, body);
    }

    /** A cancel leaves the order pending_cancel this long (0: canceled at once); it may fill meanwhile. */
    public JsonNode cancelLatency(long cancelLatencyMs) {
        return call("PUT", "/sim/config", object().put("cancel_latency_ms", cancelLatencyMs));
    }

    /**
     * An account's order submissions as the simulator counted them. The invariant behind every "no order twice":
     * no submission was refused as a duplicate client order id, and no client order id was accepted twice. Re-sends
     * after a 429 or a refusal before acceptance are legitimate.
     */
    public record Submissions(JsonNode byClientOrderId) {

        /** What breaks the invariant, one line per client order id; empty when nothing was ordered twice. */
        public java.util.List<String> orderedTwice() {
            java.util.List<String> violations = new java.util.ArrayList<>();
            byClientOrderId.fields().forEachRemaining(entry -> {
                long accepted = entry.getValue().path("accepted").asLong();
                long duplicate = entry.getValue().path("duplicate").asLong();
                if (accepted > 1 || duplicate > 0) {
                    violations.add(entry.getKey() + ": accepted " + accepted + " times, refused as a duplicate "
                            + duplicate + " times");
                }
            });
            return violations;
        }

        /** Submissions refused for want of buying power or of shares, one line per client order id. */
        public java.util.List<String> refusedForWant() {
            java.util.List<String> refusals = new java.util.ArrayList<>();
            byClientOrderId.fields().forEachRemaining(entry -> {
                long cash = entry.getValue().path("insufficient_buying_power").asLong();
                long shares = entry.getValue().path("insufficient_qty").asLong();
                if (cash > 0 || shares > 0) {
                    refusals.add(entry.getKey() + ": refused " + cash + " times for buying power, " + shares
                            + " times for shares");
                }
            });
            return refusals;
        }

        /** How many submissions under this client order id were accepted. */
        public long accepted(String clientOrderId) {
            return byClientOrderId.path(clientOrderId).path("accepted").asLong();
        }

        /** Submissions accepted, over all client order ids. */
        public long acceptedTotal() {
            long total = 0;
            for (JsonNode counts : byClientOrderId) {
                total += counts.path("accepted").asLong();
            }
            return total;
        }
    }

    private JsonNode call(String method, String path, JsonNode body) {
        HttpRequest request = HttpRequest.newBuilder(baseUrl.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return SimJson.MAPPER.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static ObjectNode object() {
        return SimJson.MAPPER.createObjectNode();
    }
}
