package dev.rebalancer.portfolio.book;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.Weight;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The API's answers in Alpaca's Rebalancing API shapes. A field Alpaca's document types as nullable, or that its SDK
 * requires, is sent as null when unknown; one the document types as a non-null text is left out when unknown
 * ({@code reason}, {@code completed_at}, {@code canceled_at} of a run; {@code last_rebalanced_at}).
 */
public final class Views {

    private Views() {
    }

    public record Portfolio(
            String id,
            String name,
            /** Alpaca's clients require a text: a portfolio created without one has "". */
            String description,
            String status,
            int cooldownDays,
            List<Weight> weights,
            @JsonInclude(JsonInclude.Include.ALWAYS) List<RebalanceCondition> rebalanceConditions,
            Instant createdAt,
            Instant updatedAt) {
    }

    /**
     * A portfolio's opt-in strategies, at {@code /v1/rebalancing/portfolios/{id}/strategies}: beside Alpaca's portfolio
     * shape, which Alpaca-shaped clients read and which never shows them. A strategy that is off is null.
     */
    public record PortfolioStrategies(String portfolioId, StrategiesView strategies) {
        public PortfolioStrategies(String portfolioId, dev.rebalancer.contracts.Strategies strategies) {
            this(portfolioId, new StrategiesView(strategies.tradeCosts(), strategies.taxLossHarvesting(),
                    strategies.volatilityFilter()));
        }
    }

    /** Each strategy, null when off. */
    public record StrategiesView(
            @JsonInclude(JsonInclude.Include.ALWAYS) dev.rebalancer.contracts.TradeCosts tradeCosts,
            @JsonInclude(JsonInclude.Include.ALWAYS) dev.rebalancer.contracts.TaxLossHarvesting taxLossHarvesting,
            @JsonInclude(JsonInclude.Include.ALWAYS) dev.rebalancer.contracts.VolatilityFilter volatilityFilter) {
    }

    public record Subscription(
            String id,
            String accountId,
            String portfolioId,
            Instant createdAt,
            Instant lastRebalancedAt) {
    }

    public record Subscriptions(List<Subscription> subscriptions,
            @JsonInclude(JsonInclude.Include.ALWAYS) String nextPageToken) {
    }

    public record Run(
            String id,
            String type,
            @JsonInclude(JsonInclude.Include.ALWAYS) BigDecimal amount,
            String initiatedFrom,
            String status,
            String reason,
            String accountId,
            @JsonInclude(JsonInclude.Include.ALWAYS) String portfolioId,
            @JsonRawValue String weights,
            @JsonRawValue String orders,
            @JsonRawValue String failedOrders,
            @JsonRawValue String skippedOrders,
            Instant completedAt,
            Instant canceledAt,
            Instant createdAt,
            Instant updatedAt,
            /** Not Alpaca's: the account is in dry run, and its planned orders are among {@code skipped_orders}. */
            boolean dryRun,
            /** Not Alpaca's: the dollars its orders filled for, bought and sold. */
            BigDecimal turnover,
            /** Not Alpaca's: what those trades cost, estimated by the portfolio's trade costs. */
            BigDecimal estimatedCost,
            /** Not Alpaca's: the loss a tax_loss_harvest realised. */
            BigDecimal harvestedLoss) {
    }

    /**
     * An automatic rebalance the volatility filter deferred, at {@code GET /v1/accounts/{id}/deferrals}: the day, what
     * would have run, the reading that held it back, and all of it in words.
     */
    public record Deferral(java.time.LocalDate day, String portfolioId, dev.rebalancer.contracts.Trigger trigger,
            String description, dev.rebalancer.contracts.VolatilityFilter.Source source, BigDecimal reading,
            java.time.LocalDate readingAsOf, BigDecimal threshold, Instant occurredAt, String reason) {

        public Deferral(dev.rebalancer.contracts.RebalanceDeferred d) {
            this(d.day(), d.portfolioId(), d.trigger(), d.description(), d.source(), d.reading().stripTrailingZeros(),
                    d.readingAsOf(), d.threshold().stripTrailingZeros(), d.occurredAt(), d.explain());
        }
    }

    /** An account's harvested losses in a calendar year (New York time): the total, and each harvest. */
    public record HarvestedLosses(String accountId, int year, BigDecimal harvestedLoss, List<Harvest> harvests) {
    }

    /** One harvest: its run, when it completed, what it did in words, and the loss it realised. */
    public record Harvest(String runId, Instant completedAt, String reason, BigDecimal harvestedLoss) {
    }

    public record Runs(List<Run> runs, @JsonInclude(JsonInclude.Include.ALWAYS) String nextPageToken) {
    }

    /**
     * A managed account: never a secret. {@code alpaca_reachable}: false once this instance's calls to Alpaca for it
     * failed as many times in a row as make an alert.
     */
    public record Account(
            String id,
            String name,
            String accountNumber,
            String mode,
            boolean dryRun,
            String baseUrl,
            @JsonInclude(JsonInclude.Include.ALWAYS) @JsonRawValue String snapshot,
            @JsonInclude(JsonInclude.Include.ALWAYS) Instant snapshotAt,
            boolean alpacaReachable) {
    }

    public record Halt(boolean halted, @JsonInclude(JsonInclude.Include.ALWAYS) String reason, Instant updatedAt) {
    }

    /** One halt or resume: the version it made, what it set, who (an API key, a Telegram user), and when. */
    public record HaltChange(long version, boolean halted, @JsonInclude(JsonInclude.Include.ALWAYS) String reason,
            String actor, boolean cancelOpenOrders, Instant changedAt) {
    }

    public record HaltHistory(List<HaltChange> changes,
            @JsonInclude(JsonInclude.Include.ALWAYS) String nextPageToken) {
    }

    /** One weight's drift: current and target percent of equity, the deviation its bands allow, past them or not. */
    public record WeightDrift(String type, String symbol, BigDecimal currentPercent, BigDecimal targetPercent,
            BigDecimal driftPercent, BigDecimal bandPercent, boolean breached) {
    }

    /** {@code GET /v1/accounts/{id}/drift}: the account's drift from its latest snapshot against its subscription. */
    public record Drift(String accountId, String portfolioId, Instant asOf, BigDecimal equity, boolean breached,
            List<WeightDrift> weights) {
    }

    /**
     * {@code POST /v1/balance-checks}: each account's check of the trading day. {@code outcome}: first_snapshot (no
     * earlier snapshot to predict from), balanced, or findings (each one line; the same lines went out as an alert).
     * {@code checked_before}: the day was checked already, and this is what was found then.
     */
    public record BalanceCheck(java.time.LocalDate tradingDay, List<BalanceCheckAccount> accounts) {
    }

    public record BalanceCheckAccount(String accountId, String name, String outcome, boolean checkedBefore,
            BigDecimal equity, @JsonInclude(JsonInclude.Include.ALWAYS) BigDecimal predictedEquity,
            @JsonInclude(JsonInclude.Include.ALWAYS) BigDecimal difference, List<String> findings, Instant takenAt) {
    }
}
