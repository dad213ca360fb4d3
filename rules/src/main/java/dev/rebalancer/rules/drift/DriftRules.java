package dev.rebalancer.rules.drift;

import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.ConditionType;
import dev.rebalancer.contracts.Evidence;
import dev.rebalancer.contracts.InitiatedFrom;
import dev.rebalancer.contracts.Money;
import dev.rebalancer.contracts.PortfolioStatus;
import dev.rebalancer.contracts.Position;
import dev.rebalancer.contracts.PositionSnapshot;
import dev.rebalancer.contracts.RebalanceCondition;
import dev.rebalancer.contracts.RebalanceDeferred;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.TargetAllocation;
import dev.rebalancer.contracts.TaxLossHarvesting;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.VolatilityFilter;
import dev.rebalancer.contracts.VolatilityReading;
import dev.rebalancer.contracts.WeightDrift;
import dev.rebalancer.contracts.WeightType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * When an account is rebalanced, as Alpaca's rebalancer decides it. Every input — targets, positions, deposits, run
 * updates, the clock — gives a new state and the requests it causes; nothing here does I/O.
 *
 * <ul>
 * <li>{@code invest_cash} for every deposit of at least the minimum, for its amount, regardless of cooldown, each
 * deposit once; a deposit that comes while the portfolio needs adjustment is held until it is active again.</li>
 * <li>{@code full_rebalance} when a subscription is new, the portfolio changed (with its {@code on_portfolio_update}
 * condition), a drift band is breached,
 * or a calendar condition falls — and only while the subscription and portfolio are active, no run is unfinished,
 * {@code cooldown_days} calendar days have passed since the last completed full rebalance, no automatic request was
 * made this trading day (New York), and equity is at least $1 per asset weight.</li>
 * <li>With a portfolio's volatility filter, while the market's reading (VIX, or SPY's realised volatility) is above
 * its threshold, an automatic full rebalance is deferred — published once a trading day as a {@link RebalanceDeferred}
 * with the reading — and asked for on the first evaluation after the reading is down (a calendar condition that fell
 * meanwhile included); a deposit may be invested in parts, one a trading day.</li>
 * </ul>
 * Every request id is deterministic, so a replay requests the same run.
 */
public final class DriftRules {

    /**
     * @param minimumDeposit   the smallest deposit that is invested at once
     * @param zone             whose calendar days count (America/New_York, as the market's)
     * @param calendar         trading days and holidays
     * @param unfinishedExpiry how long a run may stay unreported before it no longer holds the account back
     */
    /**
     * {@code reserveBasisPoints}: the cash the executor keeps back from every plan (its {@code RESERVE_BASIS_POINTS}),
     * which is no breach.
     */
    public record Settings(BigDecimal minimumDeposit, ZoneId zone, CalendarSchedule calendar, Duration unfinishedExpiry,
            int reserveBasisPoints) {

        /** With no reserve. */
        public Settings(BigDecimal minimumDeposit, ZoneId zone, CalendarSchedule calendar, Duration unfinishedExpiry) {
            this(minimumDeposit, zone, calendar, unfinishedExpiry, 0);
        }
    }

    /** The state after an input, the requests to publish, and the rebalances the volatility filter deferred. */
    public record Outcome(AccountState state, List<RebalanceRequest> requests, List<RebalanceDeferred> deferrals) {

        public Outcome(AccountState state, List<RebalanceRequest> requests) {
            this(state, requests, List.of());
        }

        static Outcome of(AccountState state, RebalanceRequest... requests) {
            return new Outcome(state, List.of(requests));
        }

        /** {@code first}'s requests, then this outcome's. */
        Outcome after(Outcome first) {
            if (first.requests().isEmpty() && first.deferrals().isEmpty()) {
                return this;
            }
            List<RebalanceRequest> all = new java.util.ArrayList<>(first.requests());
            all.addAll(requests);
            List<RebalanceDeferred> deferred = new java.util.ArrayList<>(first.deferrals());
            deferred.addAll(deferrals);
            return new Outcome(state, List.copyOf(all), List.copyOf(deferred));
        }
    }

    private static final BigDecimal ONE_DOLLAR = BigDecimal.ONE;

    private final Settings settings;
    private final MarketVolatility volatility = new MarketVolatility();

    public DriftRules(Settings settings) {
        this.settings = settings;
    }

    /** The market's volatility readings the rules go by; each one published is learnt into it. */
    public MarketVolatility volatility() {
        return volatility;
    }

    /** The trading days the rules go by; the market's calendar is learnt into it as it is published. */
    public CalendarSchedule calendar() {
        return settings.calendar();
    }

    /**
     * A new subscription, a changed portfolio, or (null) an unsubscription. As at Alpaca, a change of the portfolio's
     * weights or conditions is followed by a rebalance (once the cooldown allows) only when the portfolio has the
     * {@code on_portfolio_update} condition; without it, drift is judged against the new weights and bands from now
     * on. Deposits held while the portfolio needed adjustment are invested once it is active again.
     */
    public Outcome onTarget(AccountState state, TargetAllocation target, Instant now) {
        if (target == null) {
            return Outcome.of(state.withTarget(null, false, false).withHeldDeposits(List.of())
                    .withTranches(List.of()));
        }
        TargetAllocation previous = state.target();
        boolean newSubscription = previous == null || !previous.subscriptionId().equals(target.subscriptionId());
        boolean changed = !newSubscription && (!previous.weights().equals(target.weights())
                || !previous.rebalanceConditions().equals(target.rebalanceConditions()));
        boolean rebalanceOnUpdate = target.rebalanceConditions().stream()
                .anyMatch(c -> c.type() == ConditionType.ON_PORTFOLIO_UPDATE);
        AccountState updated = state.withTarget(target, state.subscriptionPending() || newSubscription,
                rebalanceOnUpdate && (state.portfolioUpdatePending() || changed));
        List<RebalanceRequest> released = new java.util.ArrayList<>();
        if (newSubscription) {
            // Held for a portfolio that needed adjustment: another subscription is not that portfolio active again.
            updated = updated.withHeldDeposits(List.of()).withTranches(List.of());
        } else if (isActive(target) && !target.weights().isEmpty() && !updated.heldDeposits().isEmpty()) {
            for (CashDeposit held : updated.heldDeposits()) {
                RebalanceRequest request = investCash(updated, held, now);
                updated = updated.withRunRequested(request.runId(), now);
                released.add(request);
            }
            updated = updated.withHeldDeposits(List.of());
        }
        Outcome evaluated = evaluate(updated, now);
        if (released.isEmpty()) {
            return evaluated;
        }
        released.addAll(evaluated.requests());
        return new Outcome(evaluated.state(), List.copyOf(released));
    }

    public Outcome onSnapshot(AccountState state, PositionSnapshot snapshot, Instant now) {
        if (state.snapshot() != null && snapshot.occurredAt().isBefore(state.snapshot().occurredAt())) {
            return Outcome.of(state);
        }
        return evaluate(state.withSnapshot(snapshot), now);
    }

    /** New cash: invested at once by its amount, most underweight first (the executor's part), whatever the cooldown. */
    public Outcome onDeposit(AccountState state, CashDeposit deposit, Instant now) {
        if (state.recentDeposits().contains(deposit.eventId())) {
            return Outcome.of(state);
        }
        AccountState seen = state.withDeposit(deposit.eventId());
        TargetAllocation target = seen.target();
        if (deposit.amount().compareTo(settings.minimumDeposit()) < 0) {
            return Outcome.of(seen);
        }
        if (target != null && target.portfolioStatus() == PortfolioStatus.NEEDS_ADJUSTMENT) {
            // Alpaca queues nothing for a portfolio that needs adjustment; the cash waits for it to be active again.
            List<CashDeposit> held = new java.util.ArrayList<>(seen.heldDeposits());
            held.add(deposit);
            return Outcome.of(seen.withHeldDeposits(held));
        }
        if (!isActive(target) || target.weights().isEmpty()) {
            return Outcome.of(seen);
        }
        Optional<AccountState.Tranche> split = split(target, deposit, now);
        if (split.isPresent()) {
            AccountState.Tranche first = split.get();
            VolatilityReading reading = highVolatility(target, first.lastDay()).orElseThrow();
            RebalanceRequest request = investCash(seen, deposit, RebalanceRequest.depositRequestId(deposit.eventId()),
                    first.each(), "part 1 of " + first.parts() + ", one a trading day while "
                            + reading.describe() + " is above " + plain(target.strategies().volatilityFilter()
                                    .threshold()), now);
            List<AccountState.Tranche> tranches = new java.util.ArrayList<>(seen.tranches());
            tranches.add(first);
            return Outcome.of(seen.withRunRequested(request.runId(), now).withTranches(tranches), request);
        }
        RebalanceRequest request = investCash(seen, deposit, now);
        return Outcome.of(seen.withRunRequested(request.runId(), now), request);
    }

    private RebalanceRequest investCash(AccountState state, CashDeposit deposit, Instant now) {
        return investCash(state, deposit, RebalanceRequest.depositRequestId(deposit.eventId()), deposit.amount(), null,
                now);
    }

    /** An invest_cash of {@code amount} for {@code deposit}; {@code part} says which part of a split deposit it is. */
    private RebalanceRequest investCash(AccountState state, CashDeposit deposit, String requestId, BigDecimal amount,
            String part, Instant now) {
        TargetAllocation target = state.target();
        List<WeightDrift> drifts = state.snapshot() == null ? List.of()
                : Drift.of(target.weights(), target.rebalanceConditions(), Drift.paired(state.snapshot(),
                        target.weights(), target.strategies()), settings.reserveBasisPoints()).drifts();
        return request(deposit.accountId(), requestId, RunType.INVEST_CASH, amount,
                Trigger.CASH_DEPOSIT, new Evidence(deposit.activityType() + " deposit of $"
                        + deposit.amount().toPlainString() + " (activity " + deposit.eventId() + ")"
                        + (part == null ? "" : ": " + Money.dollars(amount) + ", " + part), drifts),
                target, now);
    }

    /**
     * The first part of a deposit the volatility filter spreads over days, when the portfolio asks for that and
     * volatility is high today: as many parts as {@code invest_cash_days}, but none below the minimum deposit.
     */
    private Optional<AccountState.Tranche> split(TargetAllocation target, CashDeposit deposit, Instant now) {
        VolatilityFilter filter = target.strategies().volatilityFilter();
        LocalDate today = now.atZone(settings.zone()).toLocalDate();
        if (filter == null || filter.investCashDays() < 2 || highVolatility(target, today).isEmpty()) {
            return Optional.empty();
        }
        int parts = filter.investCashDays();
        if (settings.minimumDeposit().signum() > 0) {
            parts = Math.min(parts, deposit.amount().divide(settings.minimumDeposit(), 0, RoundingMode.DOWN)
                    .intValue());
        }
        if (parts < 2) {
            return Optional.empty();
        }
        BigDecimal each = deposit.amount().divide(BigDecimal.valueOf(parts), 2, RoundingMode.DOWN);
        return Optional.of(new AccountState.Tranche(deposit, 1, parts, each, today));
    }

    /**
     * The next part of each split deposit, one a trading day, whatever volatility does now: the split was decided when
     * the deposit came. (A full rebalance, which invests all cash, ends every split.)
     */
    private Outcome tranches(AccountState state, Instant now) {
        TargetAllocation target = state.target();
        LocalDate today = now.atZone(settings.zone()).toLocalDate();
        if (state.tranches().isEmpty() || !isActive(target) || target.weights().isEmpty()
                || !settings.calendar().isTradingDay(today)) {
            return Outcome.of(state);
        }
        List<RebalanceRequest> requests = new java.util.ArrayList<>();
        List<AccountState.Tranche> left = new java.util.ArrayList<>();
        AccountState updated = state;
        for (AccountState.Tranche tranche : state.tranches()) {
            if (!tranche.lastDay().isBefore(today)) {
                left.add(tranche);
                continue;
            }
            AccountState.Tranche next = tranche.next(today);
            RebalanceRequest request = investCash(updated, tranche.deposit(), "deposit-part:"
                    + tranche.deposit().eventId() + ":" + next.part(), tranche.nextAmount(), "part " + next.part()
                    + " of " + next.parts() + ", one a trading day", now);
            updated = updated.withRunRequested(request.runId(), now);
            requests.add(request);
            if (next.part() < next.parts()) {
                left.add(next);
            }
        }
        return new Outcome(updated.withTranches(left), List.copyOf(requests));
    }

    /**
     * A run's progress: while it is unfinished no automatic rebalance starts; a completed full rebalance that traded
     * starts the cooldown (an invest_cash, as at Alpaca, runs regardless of it and restarts nothing); and once a run has
     * ended, drift is judged only on a snapshot taken after it.
     */
    public Outcome onRun(AccountState state, RunEvent run, Instant now) {
        Map<String, Instant> runs = new LinkedHashMap<>(state.unfinishedRuns());
        Instant lastFull = state.lastFullRebalanceAt();
        Instant ended = state.lastRunEndedAt();
        if (run.status().isFinal()) {
            runs.remove(run.runId());
            Instant at = run.completedAt() != null ? run.completedAt() : run.updatedAt();
            if (run.startsCooldown()) {
                lastFull = latest(lastFull, at);
            }
            ended = latest(ended, at);
        } else {
            runs.putIfAbsent(run.runId(), now);
        }
        return evaluate(state.withRuns(runs, lastFull, ended), now);
    }

    /** The wall clock moved on: calendar conditions, and waits that may have ended (cooldown, a new trading day). */
    public Outcome onTick(AccountState state, Instant now) {
        return evaluate(state, now);
    }

    /** The drift of every weight, as {@code GET /v1/accounts/{id}/drift} shows it. */
    public Optional<Drift.Report> driftOf(AccountState state) {
        if (state.target() == null || state.snapshot() == null) {
            return Optional.empty();
        }
        return Optional.of(Drift.of(state.target().weights(), state.target().rebalanceConditions(),
                Drift.paired(state.snapshot(), state.target().weights(), state.target().strategies()),
                settings.reserveBasisPoints()));
    }

    private Outcome evaluate(AccountState state, Instant now) {
        Outcome parts = tranches(state, now);
        return decide(parts.state(), now).after(parts);
    }

    private Outcome decide(AccountState state, Instant now) {
        TargetAllocation target = state.target();
        PositionSnapshot snapshot = state.snapshot();
        LocalDate today = now.atZone(settings.zone()).toLocalDate();
        if (!isActive(target) || target.weights().isEmpty() || snapshot == null || takenBeforeTheLastRun(state)
                || !settings.calendar().isTradingDay(today) || hasUnfinishedRun(state, now)) {
            return Outcome.of(state);
        }
        if (today.equals(state.lastAutomaticDay()) || !cooledDown(state, today) || !enoughEquity(target, snapshot)) {
            return harvest(state, now, today);
        }
        String account = target.accountId();
        if (state.subscriptionPending()) {
            return full(state, "subscription:" + target.subscriptionId(), Trigger.SUBSCRIPTION_CREATED,
                    "new subscription to portfolio " + target.portfolioId(), List.of(), now, today, false);
        }
        if (state.portfolioUpdatePending()) {
            return full(state, "portfolio-update:" + target.subscriptionId() + ":" + target.portfolioUpdatedAt(),
                    Trigger.PORTFOLIO_UPDATE, "portfolio " + target.portfolioId()
                            + " changed (on_portfolio_update condition)",
                    List.of(), now, today, false);
        }
        Optional<RebalanceCondition> calendar = target.rebalanceConditions().stream()
                .filter(c -> c.type() == ConditionType.CALENDAR).findFirst();
        LocalDate calendarDue = state.deferral() == null ? null : state.deferral().calendarDue();
        if (calendar.isPresent() && (calendarDue != null || !today.equals(state.lastCalendarDay())
                && settings.calendar().fallsOn(calendar.get(), today))) {
            String fell = calendarDue == null ? "falls on " + today
                    : "fell on " + calendarDue + " (deferred while volatility was high)";
            return full(state, "calendar:" + account + ":" + today, Trigger.CALENDAR,
                    calendar.get().subType().name().toLowerCase(java.util.Locale.ROOT) + " calendar condition (day "
                            + calendar.get().day() + ") " + fell, List.of(), now, today, true);
        }
        Drift.Report drift = Drift.of(target.weights(), target.rebalanceConditions(),
                Drift.paired(snapshot, target.weights(), target.strategies()), settings.reserveBasisPoints());
        if (drift.breached()) {
            List<WeightDrift> breaches = drift.breaches();
            return full(state, "drift:" + account + ":" + today, Trigger.DRIFT_BAND, "drift band breached by "
                    + breaches.stream().map(DriftRules::label).collect(Collectors.joining(", ")), breaches, now, today,
                    false);
        }
        return harvest(state, now, today);
    }

    /**
     * Tax-loss harvesting, once a trading day when no rebalance is due: a position with a substitute whose loss (at
     * Alpaca's cost basis) passes the portfolio's threshold asks the executor for a harvest; the executor judges it again
     * on its own tax lots, first in first out, and keeps the wash-sale rules.
     */
    private static final BigDecimal HUNDRED = new BigDecimal("100");

    private Outcome harvest(AccountState state, Instant now, LocalDate today) {
        TargetAllocation target = state.target();
        TaxLossHarvesting harvesting = target.strategies().taxLossHarvesting();
        if (harvesting == null || today.equals(state.lastHarvestDay())) {
            return Outcome.of(state);
        }
        List<String> losses = new java.util.ArrayList<>();
        for (Position position : state.snapshot().positions()) {
            BigDecimal cost = position.costBasis();
            if (cost == null || cost.signum() <= 0 || !harvesting.substitutes().containsKey(position.symbol())) {
                continue;
            }
            BigDecimal loss = cost.subtract(position.marketValue());
            if (loss.signum() > 0 && loss.compareTo(harvesting.minLossUsd()) >= 0
                    && loss.multiply(HUNDRED).compareTo(cost.multiply(harvesting.lossPercent())) >= 0) {
                losses.add(position.symbol() + " at a " + dev.rebalancer.contracts.Money.dollars(loss) + " loss ("
                        + loss.multiply(HUNDRED).divide(cost, 1, java.math.RoundingMode.HALF_EVEN).toPlainString()
                        + " % of its cost)");
            }
        }
        if (losses.isEmpty()) {
            return Outcome.of(state);
        }
        RebalanceRequest request = request(target.accountId(), "harvest:" + target.accountId() + ":" + today,
                RunType.TAX_LOSS_HARVEST, null, Trigger.TAX_LOSS, new Evidence(String.join(", ", losses)
                        + ": past the " + harvesting.lossPercent().stripTrailingZeros().toPlainString()
                        + " % harvesting threshold", List.of()), target, now);
        return Outcome.of(state.withHarvestRequest(request.runId(), now, today), request);
    }

    private Outcome full(AccountState state, String requestId, Trigger trigger, String description,
            List<WeightDrift> evidence, Instant now, LocalDate today, boolean calendar) {
        Optional<VolatilityReading> high = highVolatility(state.target(), today);
        if (high.isPresent()) {
            return defer(state, trigger, description, high.get(), now, today, calendar);
        }
        RebalanceRequest request = request(state.target().accountId(), requestId, RunType.FULL_REBALANCE, null, trigger,
                new Evidence(description, evidence), state.target(), now);
        return Outcome.of(state.withAutomaticRequest(request.runId(), now, today, calendar), request);
    }

    /**
     * The volatility filter holds an automatic full rebalance back: nothing is requested (the reason to rebalance stays,
     * and is judged again with every input and tick until the reading is at or under the threshold); the deferral is
     * published once a trading day with the reading that caused it. A harvest may still run: selling at a loss in a
     * falling market is its purpose.
     */
    private Outcome defer(AccountState state, Trigger trigger, String description, VolatilityReading reading,
            Instant now, LocalDate today, boolean calendar) {
        TargetAllocation target = state.target();
        AccountState.Deferral before = state.deferral();
        LocalDate calendarDue = calendar ? (before != null && before.calendarDue() != null ? before.calendarDue()
                : today) : before == null ? null : before.calendarDue();
        boolean tell = before == null || !today.equals(before.toldOn());
        AccountState deferred = state.withDeferral(new AccountState.Deferral(tell ? today : before.toldOn(),
                calendarDue));
        Outcome harvested = harvest(deferred, now, today);
        if (!tell) {
            return harvested;
        }
        RebalanceDeferred deferral = new RebalanceDeferred(RebalanceDeferred.eventIdFor(target.accountId(), today),
                target.accountId(), now, today, target.portfolioId(), trigger, description, reading.source(),
                reading.value(), reading.asOf(), target.strategies().volatilityFilter().threshold());
        return new Outcome(harvested.state(), harvested.requests(), List.of(deferral));
    }

    /** The reading that makes volatility high today for the portfolio's filter, if it has one and it is. */
    private Optional<VolatilityReading> highVolatility(TargetAllocation target, LocalDate today) {
        VolatilityFilter filter = target.strategies().volatilityFilter();
        if (filter == null) {
            return Optional.empty();
        }
        return volatility.reading(filter.source()).filter(reading -> filter.high(reading, today));
    }

    private static String plain(BigDecimal value) {
        return value.stripTrailingZeros().toPlainString();
    }

    private static RebalanceRequest request(String accountId, String requestId, RunType type, BigDecimal amount,
            Trigger trigger, Evidence evidence, TargetAllocation target, Instant now) {
        return new RebalanceRequest("request:" + requestId, accountId, now, requestId,
                RebalanceRequest.runIdFor(requestId), type, amount, trigger, evidence, target.portfolioId(),
                target.weights(), InitiatedFrom.SYSTEM, target.rebalanceConditions(), target.strategies());
    }

    private boolean hasUnfinishedRun(AccountState state, Instant now) {
        return state.unfinishedRuns().values().stream()
                .anyMatch(since -> since.plus(settings.unfinishedExpiry()).isAfter(now));
    }

    /** The snapshot shows the account before its last run's orders: a newer one follows every run. */
    private static boolean takenBeforeTheLastRun(AccountState state) {
        return state.lastRunEndedAt() != null && state.snapshot().occurredAt() != null
                && state.snapshot().occurredAt().isBefore(state.lastRunEndedAt());
    }

    private boolean cooledDown(AccountState state, LocalDate today) {
        Instant last = latest(state.lastFullRebalanceAt(), state.target().lastRebalancedAt());
        if (last == null) {
            return true;
        }
        LocalDate lastDay = last.atZone(settings.zone()).toLocalDate();
        return !today.isBefore(lastDay.plusDays(state.target().cooldownDays()));
    }

    private static boolean enoughEquity(TargetAllocation target, PositionSnapshot snapshot) {
        long assets = target.weights().stream().filter(w -> w.type() == WeightType.ASSET).count();
        return snapshot.equity().compareTo(ONE_DOLLAR.multiply(BigDecimal.valueOf(assets))) >= 0;
    }

    private static boolean isActive(TargetAllocation target) {
        return target != null && target.portfolioStatus() == PortfolioStatus.ACTIVE;
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }

    private static String label(WeightDrift drift) {
        String name = drift.type() == WeightType.CASH ? "cash" : drift.symbol();
        return name + " at " + drift.currentPercent().stripTrailingZeros().toPlainString() + "% (target "
                + drift.targetPercent().stripTrailingZeros().toPlainString() + "%, band ±"
                + drift.bandPercent().stripTrailingZeros().toPlainString() + ")";
    }
}
