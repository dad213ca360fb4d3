package dev.rebalancer.sim;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One account at the simulator, known by its API key pair; mutated only under the broker's lock. */
final class SimAccount {

    /** One holding: quantity and what was paid for it. */
    static final class Holding {
        BigDecimal qty = BigDecimal.ZERO;
        BigDecimal costBasis = BigDecimal.ZERO;
    }

    final String id;
    final String accountNumber;
    final String keyId;
    final String secretKey;
    final Instant createdAt;
    BigDecimal cash;
    final Map<String, Holding> holdings = new TreeMap<>();
    final Map<String, SimOrder> orders = new LinkedHashMap<>();
    final Map<String, SimOrder> ordersByClientId = new HashMap<>();
    final List<SimActivity> activities = new ArrayList<>();
    /** When each request of the last minute arrived, for the per-minute budget. */
    final ArrayDeque<Instant> requests = new ArrayDeque<>();
    /** Every authenticated Trading API request, and those of them refused with 429. */
    long requestsTotal;
    long rateLimitedTotal;
    /** How long every Trading API answer to this account's keys is held back: an Alpaca slow for one account. */
    long latencyMs;
    /** Alpaca's margin multiplier: 1 for a cash account; 2 or 4 lend up to that many times the cash. */
    BigDecimal multiplier = BigDecimal.ONE;
    /** Alpaca's day-trade count (the last five sessions) and pattern-day-trader flag, as set by the admin API. */
    int daytradeCount;
    boolean patternDayTrader;
    /** The lowest cash the account ever had: below zero means money was borrowed. */
    BigDecimal lowestCash;
    /** The lowest cash right after a fill of a buy, by the buy's client order id. */
    final Map<String, BigDecimal> cashAfterBuyFills = new LinkedHashMap<>();
    /** Every {@code POST /v2/orders}, by client order id, by outcome. */
    final Map<String, Submissions> submissions = new LinkedHashMap<>();

    /** How the order submissions under one client order id ended. */
    static final class Submissions {
        long accepted;
        long duplicate;
        long rateLimited;
        long refused;
        /** Of those refused: for want of buying power (a buy) or of shares (a sell). */
        long insufficientBuyingPower;
        long insufficientQty;
    }

    SimAccount(String id, String accountNumber, String keyId, String secretKey, BigDecimal cash, Instant createdAt) {
        this.id = id;
        this.accountNumber = accountNumber;
        this.keyId = keyId;
        this.secretKey = secretKey;
        this.cash = cash;
        this.lowestCash = cash;
        this.createdAt = createdAt;
    }
}
