package dev.rebalancer.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.local.Http;
import dev.rebalancer.local.LocalStack;
import dev.rebalancer.sim.SimAdminClient;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What users and markets do during the soak, from one seed: 20 accounts, 17 of them subscribed to one of 3 portfolios
 * and 3 left for manual runs; deposits every second or two (some under $10, some large); price moves that breach the
 * drift bands; manual runs, some canceled; a halt engaged and lifted; portfolio weights changed. Everything it did is
 * kept, for the invariants. A call the system refused (a service down just then) is counted, not retried blindly: the
 * invariants judge only what the system accepted.
 */
final class Workload {

    static final int ACCOUNTS = 20;
    static final int SUBSCRIBED = 17;
    static final BigDecimal MINIMUM_DEPOSIT = new BigDecimal("10");

    /** A deposit the simulator recorded: its activity id names the run it must produce. */
    record Deposit(String accountId, String activityId, BigDecimal amount, Instant at) {
    }

    /** A halt the API took: when the call to engage it began, and when the call that lifted it began (null: not yet). */
    record Halt(Instant engaging, Instant lifting) {
    }

    /** A manual run the API took, and whether a cancel of it was asked for. */
    record ManualRun(String accountId, String runId, Instant at, boolean cancelAsked) {
    }

    private static final List<String> PORTFOLIOS = List.of("""
            {"name":"chaos growth","weights":[{"type":"cash","percent":"5"},
             {"type":"asset","symbol":"SPY","percent":"60"},{"type":"asset","symbol":"TLT","percent":"35"}],
             "cooldown_days":7,"rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"}]}""", """
            {"name":"chaos balanced","weights":[{"type":"cash","percent":"5"},
             {"type":"asset","symbol":"QQQ","percent":"40"},{"type":"asset","symbol":"VTI","percent":"30"},
             {"type":"asset","symbol":"BND","percent":"25"}],
             "cooldown_days":7,"rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"}]}""", """
            {"name":"chaos world","weights":[{"type":"cash","percent":"5"},
             {"type":"asset","symbol":"VOO","percent":"50"},{"type":"asset","symbol":"VWO","percent":"20"},
             {"type":"asset","symbol":"GLD","percent":"25"}],
             "cooldown_days":7,"rebalance_conditions":[{"type":"drift_band","sub_type":"relative","percent":"20"}]}""");

    private final LocalStack stack;
    private final SimAdminClient sim;
    private final Http api;
    private final Random random;
    private final Report.Log log;
    private final List<String> accounts = new ArrayList<>();
    private final List<String> portfolioIds = new ArrayList<>();
    private final Map<String, BigDecimal> prices = new LinkedHashMap<>();
    final List<Deposit> deposits = new ArrayList<>();
    final List<ManualRun> manualRuns = new ArrayList<>();
    final List<Halt> halts = new ArrayList<>();
    int refusedCalls;
    private Instant haltLiftAt;

    Workload(LocalStack stack, long seed, Report.Log log) {
        this.stack = stack;
        this.sim = stack.simulator();
        this.api = Http.api(stack.service("portfolio-service").baseUrl(), stack.settings().apiKey(),
                stack.settings().apiSecret());
        this.random = new Random(seed);
        this.log = log;
        LocalStack.PRICES.forEach((symbol, price) -> prices.put(symbol, new BigDecimal(price)));
    }

    static String key(int account) {
        return "chaos-" + account;
    }

    /** The portfolios, and the subscriptions of the first {@link #SUBSCRIBED} accounts (before any fault). */
    void setUp() {
        for (int a = 0; a < ACCOUNTS; a++) {
            accounts.add(stack.simAccount(key(a)));
        }
        for (String portfolio : PORTFOLIOS) {
            portfolioIds.add(api.post("/v1/rebalancing/portfolios", portfolio).get("id").asText());
        }
        for (int a = 0; a < SUBSCRIBED; a++) {
            api.post("/v1/rebalancing/subscriptions", Http.JSON.createObjectNode().put("account_id", accounts.get(a))
                    .put("portfolio_id", portfolioIds.get(a % portfolioIds.size())).toString());
        }
    }

    List<String> accounts() {
        return accounts;
    }

    static final String NO_SUBSCRIPTION = "no active subscription";
    static final String PORTFOLIO_NOT_ACTIVE = "portfolio not active";

    /**
     * Why a deposit into an account is owed no run — {@link #NO_SUBSCRIPTION} or {@link #PORTFOLIO_NOT_ACTIVE} — by
     * account, as portfolio-service tells it at the end (the soak never ends a subscription nor a portfolio).
     */
    Map<String, String> notOwed() {
        Map<String, String> portfolioStatus = new HashMap<>();
        for (JsonNode portfolio : api.get("/v1/rebalancing/portfolios")) {
            portfolioStatus.put(portfolio.path("id").asText(), portfolio.path("status").asText());
        }
        Map<String, String> subscribed = new HashMap<>();
        String token = "";
        do {
            JsonNode page = api.get("/v1/rebalancing/subscriptions?limit=1000"
                    + (token.isEmpty() ? "" : "&page_token=" + token));
            page.path("subscriptions").forEach(s -> subscribed.put(s.path("account_id").asText(),
                    s.path("portfolio_id").asText()));
            token = page.path("next_page_token").asText("");
        } while (!token.isEmpty());
        Map<String, String> why = new HashMap<>();
        for (String account : accounts) {
            String portfolio = subscribed.get(account);
            if (portfolio == null) {
                why.put(account, NO_SUBSCRIPTION);
            } else if (!"active".equals(portfolioStatus.get(portfolio))) {
                why.put(account, PORTFOLIO_NOT_ACTIVE);
            }
        }
        return why;
    }

    /** One second of the workload. */
    void step(Instant now) {
        if (random.nextDouble() < 0.6) {
            deposit(now);
        }
        if (random.nextDouble() < 0.05) {
            movePrice();
        }
        if (random.nextDouble() < 0.04) {
            manualRun(now);
        }
        if (haltLiftAt != null && now.isAfter(haltLiftAt)) {
            lift();
        } else if (haltLiftAt == null && random.nextDouble() < 0.015) {
            halt(now);
        }
        if (random.nextDouble() < 0.01) {
            changeWeights();
        }
    }

    /** Lifts a halt that may still be engaged (the workload's end), until the API takes it. */
    void finish() {
        for (int attempt = 0; haltLiftAt != null && attempt < 60; attempt++) {
            lift();
            if (haltLiftAt != null) {
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void deposit(Instant now) {
        String account = accounts.get(random.nextInt(SUBSCRIBED));
        double kind = random.nextDouble();
        BigDecimal amount = kind < 0.1 ? money(1 + random.nextInt(899) / 100.0) // under $10: no run
                : kind < 0.2 ? money(2_000 + random.nextInt(8_000)) : money(20 + random.nextInt(480));
        JsonNode activity = sim.deposit(account, amount.toPlainString());
        deposits.add(new Deposit(account, activity.get("id").asText(), amount, now));
    }

    private void movePrice() {
        List<String> symbols = new ArrayList<>(prices.keySet());
        String symbol = symbols.get(random.nextInt(symbols.size()));
        double move = (random.nextBoolean() ? 1 : -1) * (0.08 + random.nextDouble() * 0.07);
        BigDecimal price = prices.get(symbol).multiply(BigDecimal.valueOf(1 + move)).setScale(2, RoundingMode.HALF_UP);
        prices.put(symbol, price);
        sim.prices(Map.of(symbol, price.toPlainString()));
        log.say("price of %s moved %+.1f %% to %s", symbol, move * 100, price);
    }

    private void manualRun(Instant now) {
        String account = accounts.get(SUBSCRIBED + random.nextInt(ACCOUNTS - SUBSCRIBED));
        int spy = 30 + random.nextInt(50);
        try {
            JsonNode run = api.post("/v1/rebalancing/runs", """
                    {"account_id":"%s","type":"full_rebalance","weights":[{"type":"cash","percent":"5"},
                     {"type":"asset","symbol":"SPY","percent":"%d"},{"type":"asset","symbol":"BND","percent":"%d"}]}"""
                    .formatted(account, spy, 95 - spy));
            boolean cancel = random.nextBoolean();
            String runId = run.get("id").asText();
            if (cancel) {
                try {
                    api.delete("/v1/rebalancing/runs/" + runId);
                } catch (RuntimeException e) {
                    // already ended, or the service away: the run goes on, which is allowed
                    log.say("cancel of run %s not taken: %s", runId, e.getMessage());
                }
            }
            manualRuns.add(new ManualRun(account, runId, now, cancel));
        } catch (RuntimeException e) {
            refused("manual run", e);
        }
    }

    private void halt(Instant now) {
        Instant engaging = Instant.now();
        // Lifted later even when the call failed: its answer may be what was lost, the halt engaged all the same.
        haltLiftAt = now.plusSeconds(5 + random.nextInt(10));
        try {
            // Each halt's reason its own: its alert's text is then its own too.
            api.post("/v1/trading/halt", "{\"reason\":\"chaos: hands off (" + (halts.size() + 1) + ")\"}");
            halts.add(new Halt(engaging, null));
            log.say("halt engaged");
        } catch (RuntimeException e) {
            refused("halt", e);
        }
    }

    private void lift() {
        Instant lifting = Instant.now();
        try {
            api.delete("/v1/trading/halt");
            haltLiftAt = null;
            int last = halts.size() - 1;
            if (last >= 0 && halts.get(last).lifting() == null) {
                halts.set(last, new Halt(halts.get(last).engaging(), lifting));
            }
            log.say("halt lifted");
        } catch (RuntimeException e) {
            refused("lift of the halt", e); // tried again next second
        }
    }

    private void changeWeights() {
        int p = random.nextInt(portfolioIds.size());
        int shift = 5 + random.nextInt(10);
        String body = switch (p) {
            case 0 -> """
                    {"weights":[{"type":"cash","percent":"5"},{"type":"asset","symbol":"SPY","percent":"%d"},
                     {"type":"asset","symbol":"TLT","percent":"%d"}]}""".formatted(60 - shift, 35 + shift);
            case 1 -> """
                    {"weights":[{"type":"cash","percent":"5"},{"type":"asset","symbol":"QQQ","percent":"%d"},
                     {"type":"asset","symbol":"VTI","percent":"30"},{"type":"asset","symbol":"BND","percent":"%d"}]}"""
                    .formatted(40 - shift, 25 + shift);
            default -> """
                    {"weights":[{"type":"cash","percent":"5"},{"type":"asset","symbol":"VOO","percent":"%d"},
                     {"type":"asset","symbol":"VWO","percent":"20"},{"type":"asset","symbol":"GLD","percent":"%d"}]}"""
                    .formatted(50 - shift, 25 + shift);
        };
        try {
            api.patch("/v1/rebalancing/portfolios/" + portfolioIds.get(p), body);
            log.say("portfolio %d reweighted by %d points", p, shift);
        } catch (RuntimeException e) {
            refused("portfolio change", e);
        }
    }

    private void refused(String what, RuntimeException e) {
        refusedCalls++;
        log.say("%s not taken: %s", what, e.getMessage());
    }

    private static BigDecimal money(double amount) {
        return BigDecimal.valueOf(amount).setScale(2, RoundingMode.HALF_UP);
    }
}
