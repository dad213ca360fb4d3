package dev.rebalancer.alpaca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebalancer.alpaca.model.OrderRequest;
import dev.rebalancer.alpaca.model.TradeUpdate;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlpacaClientUnitTest {

    @Test
    void the_budget_lets_the_limit_through_then_waits_for_the_oldest_to_leave_the_minute() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T14:30:00Z"));
        List<Duration> waits = new ArrayList<>();
        RequestBudget budget = budgetWatchingWaits(3, clock, waits);

        budget.acquire(RequestBudget.Purpose.READ);
        clock.advance(Duration.ofSeconds(10));
        budget.acquire(RequestBudget.Purpose.READ);
        budget.acquire(RequestBudget.Purpose.READ);
        assertThat(waits).isEmpty();

        budget.acquire(RequestBudget.Purpose.READ);

        assertThat(waits).containsExactly(Duration.ofSeconds(50));
    }

    @Test
    void a_pause_holds_every_request_back_until_it_ends() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-11-23T14:30:00Z"));
        List<Duration> waits = new ArrayList<>();
        RequestBudget budget = budgetWatchingWaits(200, clock, waits);

        budget.pauseUntil(Instant.parse("2026-11-23T14:30:07Z"));
        budget.acquire(RequestBudget.Purpose.READ);

        assertThat(waits).containsExactly(Duration.ofSeconds(7));
    }

    /** A budget whose waits are recorded and skipped by moving its clock. */
    private static RequestBudget budgetWatchingWaits(int perMinute, MutableClock clock, List<Duration> waits) {
        return new MinuteWindow(perMinute, clock, wait -> {
            waits.add(wait);
            clock.advance(wait);
        });
    }

    @Test
    void errors_are_classified_by_status_and_message() {
        var json = AlpacaJson.mapper();
        assertThat(AlpacaException.classify(403, json.createObjectNode().put("code", 40310000)
                .put("message", "cannot open a long buy while a short sell order is open"), null))
                .isExactlyInstanceOf(AlpacaException.ClientError.class);
        assertThat(AlpacaException.classify(422, json.createObjectNode().put("code", 42210000)
                .put("message", "potential wash trade detected. use complex orders"), null))
                .isExactlyInstanceOf(AlpacaException.WashTrade.class);
        assertThat(AlpacaException.classify(403, json.createObjectNode().put("code", 40310000)
                .put("message", "potential wash trade detected. use complex orders"), null))
                .isExactlyInstanceOf(AlpacaException.WashTrade.class);
        assertThat(AlpacaException.classify(503, null, null)).isExactlyInstanceOf(AlpacaException.ServerError.class);
        assertThat(((AlpacaException.RateLimited) AlpacaException.classify(429, null, "1790000000")).resetAt())
                .contains(Instant.ofEpochSecond(1790000000));
    }

    @Test
    void unknown_stream_event_names_are_tolerated() throws Exception {
        TradeUpdate restated = AlpacaJson.mapper().readValue(
                "{\"event\":\"restated\",\"order\":{\"id\":\"o\",\"status\":\"new\"},\"brand_new_field\":1}",
                TradeUpdate.class);
        TradeUpdate invented = AlpacaJson.mapper().readValue("{\"event\":\"teleported\"}", TradeUpdate.class);

        assertThat(restated.kind()).isEqualTo(TradeUpdate.Kind.OTHER);
        assertThat(invented.kind()).isEqualTo(TradeUpdate.Kind.OTHER);
        assertThat(AlpacaJson.mapper().readValue("{\"event\":\"partial_fill\"}", TradeUpdate.class).kind())
                .isEqualTo(TradeUpdate.Kind.PARTIAL_FILL);
    }

    @Test
    void the_endpoint_never_shows_its_secret_and_knows_its_stream() {
        AlpacaEndpoint live = new AlpacaEndpoint(URI.create("https://api.alpaca.markets/"), "AKID", "very-secret");
        AlpacaEndpoint local = new AlpacaEndpoint(URI.create("http://127.0.0.1:8090"), "k", "s");

        assertThat(live.toString()).doesNotContain("very-secret").contains("AKID");
        assertThat(live.isLive()).isTrue();
        assertThat(live.streamUrl()).isEqualTo(URI.create("wss://api.alpaca.markets/stream"));
        assertThat(new AlpacaEndpoint(AlpacaEndpoint.PAPER, "k", "s").isLive()).isFalse();
        assertThat(local.streamUrl()).isEqualTo(URI.create("ws://127.0.0.1:8090/stream"));
        assertThatThrownBy(() -> new AlpacaEndpoint(AlpacaEndpoint.PAPER, "k", " "))
                .hasMessageContaining("secret key is missing");
    }

    @Test
    void order_requests_carry_alpacas_precision_and_rules() {
        assertThat(OrderRequest.marketBuyNotional("SPY", new BigDecimal("12.349"), "c").notional()).isEqualByComparingTo("12.34");
        assertThat(OrderRequest.marketBuyNotional("SPY", new BigDecimal("12.349"), "c").notional().scale()).isEqualTo(2);
        assertThat(OrderRequest.marketSellQty("SPY", new BigDecimal("1.1234567891"), "c").qty())
                .isEqualByComparingTo("1.123456789");
        assertThatThrownBy(() -> new OrderRequest("SPY", BigDecimal.ONE, BigDecimal.ONE, "buy", "market", "day", null, "c"))
                .hasMessageContaining("exactly one of qty and notional");
        assertThatThrownBy(() -> OrderRequest.marketBuyNotional("SPY", BigDecimal.TEN, "x".repeat(129)))
                .hasMessageContaining("128");
    }
}
