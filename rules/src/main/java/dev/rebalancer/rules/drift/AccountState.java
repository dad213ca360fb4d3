package dev.rebalancer.rules.drift;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.rebalancer.contracts.CashDeposit;
import dev.rebalancer.contracts.PositionSnapshot;
import dev.rebalancer.contracts.TargetAllocation;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the drift monitor knows of one account, kept in a state store backed by a changelog topic.
 *
 * @param target                the subscribed portfolio; null when unsubscribed
 * @param snapshot              the latest positions; stored apart from the rest, as the event came (see DriftTopology)
 * @param unfinishedRuns        runs requested or reported and not yet final, with when they were first seen
 * @param lastFullRebalanceAt   when the last full rebalance completed, for the cooldown
 * @param lastAutomaticDay      the trading day (New York) of the last automatic request: at most one a day
 * @param lastCalendarDay       the day the calendar condition last fired
 * @param subscriptionPending   a new subscription waits for its first rebalance
 * @param portfolioUpdatePending the portfolio changed, has the on_portfolio_update condition, and waits for a
 *                              rebalance once the cooldown allows
 * @param recentDeposits        the latest deposit ids handled, so a replayed deposit is invested once
 * @param lastRunEndedAt        when the account's last run ended: a snapshot older than that shows the account before
 *                              the run's orders, so drift waits for a newer one
 * @param heldDeposits          deposits that came while the portfolio needed adjustment, invested once it is active
 * @param lastHarvestDay        the trading day of the last harvest request: at most one a day
 * @param deferral              what the volatility filter holds back: the day it last told of a deferral (once a day),
 *                              and the day of a calendar condition whose rebalance waits for volatility to fall
 * @param tranches              deposits split over days by the volatility filter, with the parts still to invest
 */
public record AccountState(
        TargetAllocation target,
        @JsonIgnore PositionSnapshot snapshot,
        Map<String, Instant> unfinishedRuns,
        Instant lastFullRebalanceAt,
        LocalDate lastAutomaticDay,
        LocalDate lastCalendarDay,
        boolean subscriptionPending,
        boolean portfolioUpdatePending,
        List<String> recentDeposits,
        Instant lastRunEndedAt,
        List<CashDeposit> heldDeposits,
        LocalDate lastHarvestDay,
        Deferral deferral,
        List<Tranche> tranches) {

    /**
     * @param toldOn      the trading day a deferral was last published: at most one a day
     * @param calendarDue the day a calendar condition fell whose rebalance was deferred; null when none waits
     */
    public record Deferral(LocalDate toldOn, LocalDate calendarDue) {
    }

    /**
     * A deposit the volatility filter spreads over {@code parts} trading days: {@code part} of them are requested,
     * the last on {@code lastDay}; each part is {@code each}, the last what is left of {@code amount}.
     */
    public record Tranche(CashDeposit deposit, int part, int parts, java.math.BigDecimal each, LocalDate lastDay) {

        /** What the next part invests: {@code each}, or for the last part the rest of the deposit. */
        java.math.BigDecimal nextAmount() {
            return part + 1 == parts ? deposit.amount().subtract(each.multiply(java.math.BigDecimal.valueOf(part)))
                    : each;
        }

        Tranche next(LocalDate day) {
            return new Tranche(deposit, part + 1, parts, each, day);
        }
    }

    static final int DEPOSITS_REMEMBERED = 200;

    public AccountState {
        unfinishedRuns = unfinishedRuns == null ? Map.of() : Map.copyOf(unfinishedRuns);
        recentDeposits = recentDeposits == null ? List.of() : List.copyOf(recentDeposits);
        heldDeposits = heldDeposits == null ? List.of() : List.copyOf(heldDeposits);
        tranches = tranches == null ? List.of() : List.copyOf(tranches);
    }

    public static AccountState empty() {
        return new AccountState(null, null, Map.of(), null, null, null, false, false, List.of(), null, List.of(),
                null, null, List.of());
    }

    /** A state that has not asked for a harvest yet. */
    public AccountState(TargetAllocation target, PositionSnapshot snapshot, Map<String, Instant> unfinishedRuns,
            Instant lastFullRebalanceAt, LocalDate lastAutomaticDay, LocalDate lastCalendarDay,
            boolean subscriptionPending, boolean portfolioUpdatePending, List<String> recentDeposits,
            Instant lastRunEndedAt, List<CashDeposit> heldDeposits) {
        this(target, snapshot, unfinishedRuns, lastFullRebalanceAt, lastAutomaticDay, lastCalendarDay,
                subscriptionPending, portfolioUpdatePending, recentDeposits, lastRunEndedAt, heldDeposits, null, null,
                List.of());
    }

    /** A harvest was requested today: the run is unfinished from now, and today's harvest request is spent. */
    AccountState withHarvestRequest(String runId, Instant now, LocalDate day) {
        Map<String, Instant> runs = new LinkedHashMap<>(unfinishedRuns);
        runs.putIfAbsent(runId, now);
        return new AccountState(target, snapshot, runs, lastFullRebalanceAt, lastAutomaticDay, lastCalendarDay,
                subscriptionPending, portfolioUpdatePending, recentDeposits, lastRunEndedAt, heldDeposits, day, deferral,
                tranches);
    }

    AccountState withTarget(TargetAllocation newTarget, boolean subscription, boolean portfolioUpdate) {
        return new AccountState(newTarget, snapshot, unfinishedRuns, lastFullRebalanceAt, lastAutomaticDay,
                lastCalendarDay, subscription, portfolioUpdate, recentDeposits, lastRunEndedAt, heldDeposits,
                lastHarvestDay, deferral, tranches);
    }

    public AccountState withSnapshot(PositionSnapshot newSnapshot) {
        return new AccountState(target, newSnapshot, unfinishedRuns, lastFullRebalanceAt, lastAutomaticDay,
                lastCalendarDay, subscriptionPending, portfolioUpdatePending, recentDeposits, lastRunEndedAt,
                heldDeposits, lastHarvestDay, deferral, tranches);
    }

    AccountState withRuns(Map<String, Instant> runs, Instant fullRebalanceAt) {
        return withRuns(runs, fullRebalanceAt, lastRunEndedAt);
    }

    AccountState withRuns(Map<String, Instant> runs, Instant fullRebalanceAt, Instant runEndedAt) {
        return new AccountState(target, snapshot, runs, fullRebalanceAt, lastAutomaticDay, lastCalendarDay,
                subscriptionPending, portfolioUpdatePending, recentDeposits, runEndedAt, heldDeposits,
                lastHarvestDay, deferral, tranches);
    }

    AccountState withDeposit(String depositId) {
        List<String> deposits = new java.util.ArrayList<>(recentDeposits);
        deposits.add(depositId);
        if (deposits.size() > DEPOSITS_REMEMBERED) {
            deposits = deposits.subList(deposits.size() - DEPOSITS_REMEMBERED, deposits.size());
        }
        return new AccountState(target, snapshot, unfinishedRuns, lastFullRebalanceAt, lastAutomaticDay,
                lastCalendarDay, subscriptionPending, portfolioUpdatePending, deposits, lastRunEndedAt, heldDeposits,
                lastHarvestDay, deferral, tranches);
    }

    /**
     * A full rebalance was requested: the run is unfinished from now, and today's automatic request is spent; it
     * invests all cash, so no deferred calendar rebalance and no part of a split deposit waits any more.
     */
    AccountState withAutomaticRequest(String runId, Instant now, LocalDate day, boolean calendar) {
        Map<String, Instant> runs = new LinkedHashMap<>(unfinishedRuns);
        runs.putIfAbsent(runId, now);
        return new AccountState(target, snapshot, runs, lastFullRebalanceAt, day, calendar ? day : lastCalendarDay,
                false, false, recentDeposits, lastRunEndedAt, heldDeposits, lastHarvestDay,
                deferral == null ? null : new Deferral(deferral.toldOn(), null), List.of());
    }

    AccountState withHeldDeposits(List<CashDeposit> deposits) {
        return new AccountState(target, snapshot, unfinishedRuns, lastFullRebalanceAt, lastAutomaticDay,
                lastCalendarDay, subscriptionPending, portfolioUpdatePending, recentDeposits, lastRunEndedAt, deposits,
                lastHarvestDay, deferral, tranches);
    }

    /** What the volatility filter holds back. */
    AccountState withDeferral(Deferral day) {
        return new AccountState(target, snapshot, unfinishedRuns, lastFullRebalanceAt, lastAutomaticDay,
                lastCalendarDay, subscriptionPending, portfolioUpdatePending, recentDeposits, lastRunEndedAt,
                heldDeposits, lastHarvestDay, day, tranches);
    }

    AccountState withTranches(List<Tranche> parts) {
        return new AccountState(target, snapshot, unfinishedRuns, lastFullRebalanceAt, lastAutomaticDay,
                lastCalendarDay, subscriptionPending, portfolioUpdatePending, recentDeposits, lastRunEndedAt,
                heldDeposits, lastHarvestDay, deferral, parts);
    }

    AccountState withRunRequested(String runId, Instant now) {
        Map<String, Instant> runs = new LinkedHashMap<>(unfinishedRuns);
        runs.putIfAbsent(runId, now);
        return withRuns(runs, lastFullRebalanceAt);
    }
}
