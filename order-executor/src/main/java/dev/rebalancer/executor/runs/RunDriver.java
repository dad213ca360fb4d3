package dev.rebalancer.executor.runs;

import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.model.Account;
import dev.rebalancer.alpaca.model.MarketClock;
import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.alpaca.model.OrderRequest;
import dev.rebalancer.alpaca.model.Position;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunPhase;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.SkippedOrder;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.contracts.WeightType;
import dev.rebalancer.executor.alpaca.Brokers;
import dev.rebalancer.executor.alpaca.Brokers.Broker;
import dev.rebalancer.executor.config.ExecutorConfig;
import dev.rebalancer.rules.planning.Asset;
import dev.rebalancer.rules.planning.Holding;
import dev.rebalancer.rules.planning.Plan;
import dev.rebalancer.rules.planning.Lots;
import dev.rebalancer.rules.planning.Planner;
import dev.rebalancer.rules.planning.RunPlans;
import dev.rebalancer.contracts.TaxLossHarvesting;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Drives one run from wherever the database says it is: waits for the market, plans, sends the sells together,
 * awaits their fills (trade_updates, polling as fallback, a timeout), re-reads the account, plans and sends the buys,
 * awaits them, and ends the run. Every order is recorded before it is sent and looked up by its client order id
 * whenever its fate is unclear, so a crash at any point resumes without sending anything twice.
 */
@ApplicationScoped
public class RunDriver {

    /** This instance's hold on a run. */
    public interface Lease {
        /** What every write of the run is checked against. */
        Fence fence();

        /**
         * Extends the hold (written at most once per tenth of the lease); throws {@link Fence.Lost} when another
         * instance has taken the run over.
         */
        void renew();

        /** Lets the run go, to be taken again at {@code notBefore} (null: at once). */
        void release(Instant notBefore);
    }

    private enum Outcome { DONE, CANCELED, TIMEOUT, HALTED }

    private static final Logger LOG = Logger.getLogger(RunDriver.class);
    /** Below this equity a margin account that makes four day trades in five sessions is restricted (FINRA's rule). */
    private static final BigDecimal PATTERN_DAY_TRADER_EQUITY = new BigDecimal("25000");
    private static final java.time.ZoneId NEW_YORK = java.time.ZoneId.of("America/New_York");

    private final RunStore store;
    private final Brokers brokers;
    private final TradingHaltState haltState;
    private final Checkpoints checkpoints;
    private final ExecutorConfig.Runs settings;
    private final RunPlans plans;
    /** The day each account's day-trade count was last warned of (once a day per instance). */
    private final Map<String, java.time.LocalDate> dayTradesWarned = new java.util.concurrent.ConcurrentHashMap<>();

    private final FillLedger ledger;

    RunDriver(RunStore store, Brokers brokers, TradingHaltState haltState, Checkpoints checkpoints,
            ExecutorConfig config, FillLedger ledger) {
        this.ledger = ledger;
        this.store = store;
        this.brokers = brokers;
        this.haltState = haltState;
        this.checkpoints = checkpoints;
        this.settings = config.runs();
        this.plans = new RunPlans(settings.reserveBasisPoints());
    }

    public void drive(String runId, Lease lease) {
        Fence fence = lease.fence();
        Run run = store.run(runId).orElseThrow();
        if (run.status().isFinal()) {
            return;
        }
        Optional<Broker> found = brokers.forAccount(run.accountId());
        if (found.isEmpty()) {
            store.finish(fence, RunStatus.ERROR, "account " + run.accountId() + " is not traded by this executor "
                    + "(no Alpaca keys configured for it)");
            return;
        }
        Broker broker = found.get();
        if (run.status() == RunStatus.QUEUED && run.dryRun() != broker.dryRun()) {
            // Accepted while Alpaca had not yet said whose keys these are: the account's own setting holds.
            store.dryRun(fence, broker.dryRun());
            run = store.run(runId).orElseThrow();
        }
        if (run.failingSince() != null
                && Duration.between(run.failingSince(), Instant.now()).compareTo(settings.giveUpAfter()) > 0) {
            giveUp(run, broker, lease);
            return;
        }
        if (run.cancelRequested()) {
            cancel(run, broker, lease, "cancel requested");
            return;
        }
        boolean resumed = run.status() == RunStatus.IN_PROGRESS;
        if (run.status() == RunStatus.QUEUED) {
            if (!run.dryRun() && haltState.halted()) {
                lease.release(null);
                return;
            }
            MarketClock clock = broker.client().clock();
            Instant close = clock.isOpen() ? sessionClose(clock, broker) : null;
            if (close == null || Duration.between(clock.timestamp().toInstant(), close)
                    .compareTo(settings.minimumBeforeClose()) < 0) {
                releaseUntilOpen(clock, lease);
                return;
            }
            if (!startFirstPhase(run, broker, lease, close)) {
                return;
            }
        } else if (!resume(run, broker, lease)) {
            return;
        }
        while (true) {
            run = store.run(runId).orElseThrow();
            if (run.status().isFinal()) {
                return;
            }
            Outcome outcome = execute(run, broker, lease, resumed);
            resumed = false;
            switch (outcome) {
                case CANCELED -> {
                    cancel(store.run(runId).orElseThrow(), broker, lease, "cancel requested");
                    return;
                }
                case TIMEOUT -> {
                    List<Leg> stillOpen = cancelOpenOrders(run, broker, lease);
                    store.finish(fence, RunStatus.TIMEOUT, "the " + run.phase().name().toLowerCase()
                            + " were not all filled within " + settings.fillTimeout().toSeconds() + " s; open orders canceled",
                            stillOpen);
                    return;
                }
                case HALTED -> {
                    lease.release(null);
                    return;
                }
                case DONE -> {
                }
            }
            if (run.phase() == RunPhase.SELLS && RunPlans.buysFollowSells(run.request().type())) {
                RunPlans.Phase buys = plans.afterSells(run.request(), account(run.request(), read(broker, lease),
                        broker.client(), lease), soldFor(run), Instant.now()).orElseThrow();
                checkpoints.reached(Checkpoints.BUYS_PLANNED, runId);
                store.startPhase(fence, RunPhase.BUYS, buys.orders(), buys.skipped(), false, run.sessionClose(),
                        buys.reserve());
                continue;
            }
            if (run.request().type() == RunType.TAX_LOSS_HARVEST) {
                RunPlans.Harvested harvested = harvested(run, broker, lease);
                store.complete(fence, harvested.words(), harvested.loss());
            } else {
                store.complete(fence);
            }
            return;
        }
    }

    private void releaseUntilOpen(MarketClock clock, Lease lease) {
        Instant recheck = Instant.now().plus(settings.closedRecheck());
        Instant opens = clock.nextOpen() == null ? recheck : clock.nextOpen().toInstant();
        lease.release(opens.isBefore(recheck) ? opens : recheck);
    }

    private static Instant closeOf(MarketClock clock) {
        return clock.nextClose() == null ? null : clock.nextClose().toInstant();
    }

    /**
     * The open session's close: the clock's, or today's close in Alpaca's calendar when that is earlier the same day
     * (an early close). The calendar is read once a day; when it lists no session today, or the clock's session ends
     * on another day, the clock, which says the market is open, is believed.
     */
    private Instant sessionClose(MarketClock clock, Broker broker) {
        Instant close = closeOf(clock);
        if (close == null) {
            return null;
        }
        java.time.ZoneId newYork = dev.rebalancer.alpaca.model.CalendarDay.NEW_YORK;
        java.time.LocalDate today = clock.timestamp().atZoneSameInstant(newYork).toLocalDate();
        Optional<Instant> calendar = brokers.calendarClose(broker.client(), today);
        boolean sameDay = close.atZone(newYork).toLocalDate().equals(today);
        return calendar.isPresent() && sameDay && calendar.get().isBefore(close) ? calendar.get() : close;
    }

    /** Plans the run; records a dry run's plan and ends it; otherwise starts with the sells (or the buys if none). */
    private boolean startFirstPhase(Run run, Broker broker, Lease lease, Instant sessionClose) {
        Fence fence = lease.fence();
        Reading reading = read(broker, lease);
        warnOfDayTrades(run, reading.account());
        RunPlans.Account account = account(run.request(), reading, broker.client(), lease);
        Plan plan = plans.plan(run.request(), run.request().amount(), account, Instant.now());
        if (run.dryRun()) {
            store.startPhase(fence, RunPhase.SELLS, plan.sells(), plan.skipped(), true, sessionClose, null);
            if (!plan.buys().isEmpty()) {
                store.startPhase(fence, RunPhase.BUYS, plan.buys(), List.of(), true, sessionClose, plan.reserve());
            }
            LOG.infof("dry run %s: %d orders planned, none sent", run.runId(),
                    plan.sells().size() + plan.buys().size());
            store.finish(fence, plan.skipped().isEmpty() ? RunStatus.COMPLETED_SUCCESS
                    : RunStatus.COMPLETED_ADJUSTED, "dry run: the plan is recorded, no order was sent");
            return false;
        }
        RunPlans.Phase first = plans.first(run.request(), plan, account, Instant.now());
        store.startPhase(fence, first.phase(), first.orders(), first.skipped(), false, sessionClose, first.reserve());
        return true;
    }

    /**
     * A phase taken up again (after a halt, a crash, a lost lease). Orders already sent are watched whatever the hour;
     * orders not yet sent go out only while the market is open (the start-of-run window is for starting, not for
     * resuming), and when the phase was interrupted across a market close or for longer than
     * {@code rebalancer.runs.replan-after} they are dropped and planned anew from the account as it is now. False when
     * the run was let go to wait.
     */
    private boolean resume(Run run, Broker broker, Lease lease) {
        if (phaseLegs(run).stream().noneMatch(RunDriver::unsent)) {
            return true;
        }
        if (haltState.halted()) {
            lease.release(null);
            return false;
        }
        MarketClock clock = broker.client().clock();
        if (!clock.isOpen()) {
            releaseUntilOpen(clock, lease);
            return false;
        }
        Instant close = sessionClose(clock, broker);
        boolean acrossClose = run.sessionClose() != null && close != null && close.isAfter(run.sessionClose());
        Duration idle = run.activeAt() == null ? Duration.ZERO : Duration.between(run.activeAt(), Instant.now());
        if (acrossClose || idle.compareTo(settings.replanAfter()) > 0) {
            LOG.infof("run %s: the %s were interrupted %s; what was not sent is planned anew", run.runId(),
                    run.phase().name().toLowerCase(), acrossClose ? "across a market close" : "for " + idle.toSeconds() + " s");
            replan(run, broker, lease, close);
        }
        return true;
    }

    /** Drops the phase's unsent orders and plans them again from the account as it is now; sent ones are kept. */
    private void replan(Run run, Broker broker, Lease lease, Instant sessionClose) {
        Fence fence = lease.fence();
        for (Leg leg : phaseLegs(run)) {
            if (leg.state() == Leg.State.SENDING) {
                lookup(fence, leg, broker.client()); // a POST that may have reached Alpaca is watched, never dropped
            }
        }
        List<Leg> sent = phaseLegs(run).stream().filter(leg -> leg.state() == Leg.State.SENT).toList();
        Reading reading = read(broker, lease);
        RebalanceRequest request = run.request();
        BigDecimal amount = request.amount() == null ? null
                : request.amount().subtract(valueOf(sent, reading)).max(BigDecimal.ZERO);
        RunPlans.Phase phase = plans.again(request, run.phase(), amount, account(request, reading, broker.client(),
                lease), soldFor(run), Instant.now());
        store.replan(fence, run.phase(), phase.orders(), phase.skipped(), sessionClose, phase.reserve());
    }

    /** What sent orders are worth: their notional, or their quantity at the fill price (else the price now). */
    private static BigDecimal valueOf(List<Leg> legs, Reading reading) {
        BigDecimal total = BigDecimal.ZERO;
        for (Leg leg : legs) {
            if (leg.notional() != null) {
                total = total.add(leg.notional());
                continue;
            }
            BigDecimal price = leg.filledAvgPrice() != null ? leg.filledAvgPrice() : reading.positions().stream()
                    .filter(p -> p.symbol().equals(leg.symbol()) && p.currentPrice() != null)
                    .map(Position::currentPrice).findFirst().orElse(BigDecimal.ZERO);
            total = total.add(leg.qty().multiply(price));
        }
        return total;
    }

    // ---- one phase ----------------------------------------------------------------------------------------------

    private static boolean unsent(Leg leg) {
        return leg.state() == Leg.State.PLANNED || leg.state() == Leg.State.SENDING;
    }

    /**
     * Sends the phase's orders that are not out yet, then waits until every one is settled. The fill timeout counts
     * from now: only time spent here, waiting on sent orders, counts against it, never a halt or an outage before.
     */
    private Outcome execute(Run run, Broker broker, Lease lease, boolean resumed) {
        Fence fence = lease.fence();
        broker.watch().ensureOpen(Duration.ofSeconds(2));
        for (Leg leg : phaseLegs(run)) {
            if (!unsent(leg)) {
                continue;
            }
            Outcome stop = interruption(run.runId());
            if (stop != null) {
                return stop;
            }
            lease.renew();
            send(fence, leg, broker, run.accountId());
        }
        checkpoints.reached(Checkpoints.sent(run.phase()), run.runId());
        Instant deadline = Instant.now().plus(settings.fillTimeout());
        Instant lastPoll = resumed ? Instant.EPOCH : Instant.now();
        Instant lastRenew = Instant.now();
        // The phase's orders change only by this driver's writes (fenced): read again after a write, not every round.
        List<Leg> legs = phaseLegs(run);
        while (true) {
            long seen = broker.watch().version();
            boolean poll = Duration.between(lastPoll, Instant.now()).compareTo(
                    broker.watch().connected() ? settings.streamCheckInterval() : settings.pollInterval()) >= 0;
            if (poll) {
                lastPoll = Instant.now();
            }
            Outcome stop = interruption(run.runId());
            if (stop == Outcome.CANCELED) {
                return stop;
            }
            boolean held = false;
            boolean wrote = false;
            for (Leg leg : legs) {
                if (unsent(leg)) {
                    if (stop == null) {
                        send(fence, leg, broker, run.accountId());
                        wrote = true;
                    } else {
                        held = true;
                    }
                } else if (leg.open()) {
                    wrote |= refresh(fence, leg, broker, poll);
                }
            }
            if (held) {
                // Halted with orders still to send: the run is let go until trading resumes, and its fill timeout
                // starts again then.
                return Outcome.HALTED;
            }
            if (wrote) {
                legs = phaseLegs(run);
            }
            if (legs.stream().allMatch(Leg::settled)) {
                return Outcome.DONE;
            }
            if (Instant.now().isAfter(deadline)) {
                return Outcome.TIMEOUT;
            }
            if (Duration.between(lastRenew, Instant.now()).compareTo(settings.lease().dividedBy(3)) >= 0) {
                lease.renew();
                lastRenew = Instant.now();
            }
            broker.watch().awaitChange(seen, settings.pollInterval());
        }
    }

    /** A cancel request or an engaged halt, checked (in one statement) before every order sent. */
    private Outcome interruption(String runId) {
        RunStore.Interruptions found = store.interruptions(runId);
        if (found.cancelRequested()) {
            return Outcome.CANCELED;
        }
        return haltState.halted(found.heard()) ? Outcome.HALTED : null;
    }

    private List<Leg> phaseLegs(Run run) {
        return store.legs(run.runId()).stream().filter(leg -> leg.phase() == run.phase()).toList();
    }

    /** Takes the order's state from the stream, or from Alpaca when it is time to poll; true when it was recorded. */
    private boolean refresh(Fence fence, Leg leg, Broker broker, boolean poll) {
        boolean wrote = false;
        Optional<Order> streamed = broker.watch().latest(leg.clientOrderId());
        if (streamed.isPresent() && !streamed.get().status().equals(leg.status())) {
            store.sent(fence, leg.clientOrderId(), streamed.get());
            if (streamed.get().isTerminal()) {
                return true;
            }
            wrote = true;
        }
        if (poll) {
            try {
                store.sent(fence, leg.clientOrderId(), broker.client().order(leg.alpacaId()));
                wrote = true;
            } catch (AlpacaException e) {
                LOG.debugf("order %s not read (%s); trying again later", leg.clientOrderId(), e.getMessage());
            }
        }
        return wrote;
    }

    /**
     * Sends one order, recorded as SENDING first. Its fate unclear (no answer, a 5xx, a duplicate id): looked up by
     * client order id; Alpaca has it → SENT; Alpaca has none → PLANNED, to be sent again under the same id, which
     * Alpaca would refuse as a duplicate if it had taken the first one after all.
     */
    private void send(Fence fence, Leg leg, Broker broker, String accountId) {
        AlpacaClient client = broker.client();
        if (leg.state() == Leg.State.SENDING && lookup(fence, leg, client)) {
            return;
        }
        store.sending(fence, leg.clientOrderId());
        try {
            Order order = client.submitOrder(request(leg));
            checkpoints.reached(Checkpoints.ORDER_POSTED, leg.runId());
            store.sent(fence, leg.clientOrderId(), order);
        } catch (AlpacaException.DuplicateClientOrderId e) {
            lookup(fence, leg, client);
        } catch (AlpacaException.RateLimited e) {
            store.notSent(fence, leg.clientOrderId());
        } catch (AlpacaException.Unauthorized e) {
            throw e;
        } catch (AlpacaException e) {
            if (e.outcomeUnknown()) {
                LOG.warnf("order %s: %s; looking it up by client order id", leg.clientOrderId(), e.getMessage());
                lookup(fence, leg, client);
            } else {
                store.rejected(fence, leg, accountId, e.alpacaMessage(), assetId(client, leg.symbol()));
            }
        }
    }

    /** The asset's id from the catalogue (cached since planning), for an order Alpaca refused; null if unknown. */
    private String assetId(AlpacaClient client, String symbol) {
        try {
            return brokers.asset(client, symbol, () -> { }).map(dev.rebalancer.alpaca.model.Asset::id).orElse(null);
        } catch (AlpacaException e) {
            LOG.debugf("asset %s unknown for a refused order: %s", symbol, e.getMessage());
            return null;
        }
    }

    /** True when Alpaca has the order (now recorded as SENT); otherwise it is PLANNED again. */
    private boolean lookup(Fence fence, Leg leg, AlpacaClient client) {
        try {
            Optional<Order> order = client.orderByClientOrderId(leg.clientOrderId());
            if (order.isPresent()) {
                store.sent(fence, leg.clientOrderId(), order.get());
                return true;
            }
            store.notSent(fence, leg.clientOrderId());
            return false;
        } catch (AlpacaException e) {
            LOG.warnf("order %s could not be looked up (%s); it stays unsettled", leg.clientOrderId(), e.getMessage());
            return true;
        }
    }

    private static OrderRequest request(Leg leg) {
        if (leg.side() == OrderSide.SELL) {
            return OrderRequest.marketSellQty(leg.symbol(), leg.qty(), leg.clientOrderId());
        }
        return leg.notional() != null ? OrderRequest.marketBuyNotional(leg.symbol(), leg.notional(), leg.clientOrderId())
                : OrderRequest.marketBuyQty(leg.symbol(), leg.qty(), leg.clientOrderId());
    }

    // ---- cancel -------------------------------------------------------------------------------------------------

    /**
     * The run has failed without progress for longer than {@code rebalancer.runs.give-up-after}: its open orders are
     * canceled (and confirmed), and it ends ERROR with the last failure and, for invest_cash, how much of the deposit
     * was left uninvested, so that the account's later runs are no longer held back.
     */
    private void giveUp(Run run, Broker broker, Lease lease) {
        List<Leg> stillOpen = cancelOpenOrders(run, broker, lease);
        String reason = "gave up after " + run.failures() + " failures over "
                + Duration.between(run.failingSince(), Instant.now()).toSeconds() + " s; the last: " + run.lastError();
        BigDecimal amount = run.request().amount();
        if (run.request().type() == RunType.INVEST_CASH && amount != null) {
            BigDecimal invested = store.legs(run.runId()).stream()
                    .filter(leg -> leg.side() == OrderSide.BUY && leg.filledQty() != null && leg.filledAvgPrice() != null)
                    .map(leg -> leg.filledQty().multiply(leg.filledAvgPrice()))
                    .reduce(BigDecimal.ZERO, BigDecimal::add).setScale(2, java.math.RoundingMode.HALF_UP);
            BigDecimal left = amount.subtract(invested);
            if (left.signum() > 0) {
                reason += ". $" + left.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString() + " of the $"
                        + amount.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString()
                        + " deposit was left uninvested: invest it with a manual run";
            }
        }
        LOG.warnf("run %s: %s", run.runId(), reason);
        store.finish(lease.fence(), RunStatus.ERROR, reason, stillOpen);
    }

    private void cancel(Run run, Broker broker, Lease lease, String reason) {
        List<Leg> stillOpen = cancelOpenOrders(run, broker, lease);
        boolean anySent = store.legs(run.runId()).stream()
                .anyMatch(leg -> leg.state() == Leg.State.SENT || leg.state() == Leg.State.SENDING);
        store.finish(lease.fence(), anySent ? RunStatus.CANCELED_MID_RUN : RunStatus.CANCELED,
                run.reason() != null ? run.reason() : reason, stillOpen);
    }

    /**
     * Cancels the run's open orders and waits, up to {@code rebalancer.runs.cancel-timeout}, until Alpaca says each has
     * ended: canceled, or filled meanwhile (a fill counts in the run's orders, and in the cash the next run plans on).
     * An order whose POST may have reached Alpaca is looked up first, again each round until it is found or known not
     * to be there. Returns the orders still open, or of unknown fate, when the time is up.
     */
    private List<Leg> cancelOpenOrders(Run run, Broker broker, Lease lease) {
        Fence fence = lease.fence();
        Set<String> asked = new HashSet<>();
        Instant deadline = Instant.now().plus(settings.cancelTimeout());
        while (true) {
            long seen = broker.watch().version();
            for (Leg leg : store.legs(run.runId())) {
                if (leg.state() == Leg.State.SENDING) {
                    lookup(fence, leg, broker.client());
                }
            }
            List<Leg> open = store.legs(run.runId()).stream().filter(Leg::atAlpacaUnsettled).toList();
            if (open.isEmpty()) {
                return List.of();
            }
            if (Instant.now().isAfter(deadline)) {
                return open;
            }
            for (Leg leg : open) {
                if (leg.state() != Leg.State.SENT) {
                    continue;
                }
                if (asked.add(leg.clientOrderId())) {
                    try {
                        broker.client().cancelOrder(leg.alpacaId());
                    } catch (AlpacaException e) {
                        LOG.infof("order %s not canceled: %s", leg.clientOrderId(), e.getMessage());
                    }
                }
                refresh(fence, leg, broker, true);
            }
            lease.renew();
            broker.watch().awaitChange(seen, settings.pollInterval());
        }
    }

    /**
     * One look at the orders that runs of the account left open at Alpaca when they ended (their cancels unconfirmed
     * within the cancel timeout): each is read again and canceled again. The account's next run waits until none is
     * left.
     */
    public void settleLeftovers(String accountId) {
        Optional<Broker> found = brokers.forAccount(accountId);
        if (found.isEmpty()) {
            return;
        }
        AlpacaClient client = found.get().client();
        for (Leg leg : store.leftovers(accountId)) {
            try {
                if (leg.state() == Leg.State.SENDING) {
                    Optional<Order> order = client.orderByClientOrderId(leg.clientOrderId());
                    store.settleLeftover(leg.clientOrderId(), order.orElse(null));
                    continue;
                }
                Order order = client.order(leg.alpacaId());
                if (!order.isTerminal() && !"pending_cancel".equals(order.status())) {
                    client.cancelOrder(leg.alpacaId());
                }
                store.settleLeftover(leg.clientOrderId(), order);
            } catch (AlpacaException e) {
                LOG.debugf("order %s left open by an ended run not read (%s); trying again", leg.clientOrderId(),
                        e.getMessage());
            }
        }
    }

    // ---- planning -----------------------------------------------------------------------------------------------

    /** The account as read for a plan; {@code boughtToday}: shares of each symbol that may not be sold today. */
    private record Reading(Account account, List<Position> positions, Map<String, BigDecimal> boughtToday) {
    }

    /** Whether selling shares bought the same day would count as a day trade that can get the account restricted. */
    private static boolean dayTradesCount(Account account) {
        return account.multiplier() != null && account.multiplier().compareTo(BigDecimal.ONE) > 0
                && account.equity() != null && account.equity().compareTo(PATTERN_DAY_TRADER_EQUITY) < 0;
    }

    /** The account and its positions; the lease renewed after each answer, however slow Alpaca is. */
    private Reading read(Broker broker, Lease lease) {
        Account account = broker.client().account();
        lease.renew();
        List<Position> positions = broker.client().positions();
        lease.renew();
        Map<String, BigDecimal> boughtToday = new LinkedHashMap<>();
        if (dayTradesCount(account)) {
            // Buys filled today (this rebalancer's and anyone's on the account): selling those shares today is a day trade.
            Instant today = java.time.LocalDate.now(NEW_YORK).atStartOfDay(NEW_YORK).toInstant();
            for (Order order : broker.client().orders("all", 500, "desc", today)) {
                if ("buy".equals(order.side()) && order.filledQty() != null && order.filledQty().signum() > 0
                        && (order.filledAt() == null || !order.filledAt().isBefore(today))) {
                    boughtToday.merge(order.symbol(), order.filledQty(), BigDecimal::add);
                }
            }
            lease.renew();
        }
        return new Reading(account, positions, boughtToday);
    }

    /**
     * Alpaca counts three day trades in five sessions on a margin account under $25,000 (one more restricts it), or has
     * flagged it a pattern day trader already: the owner hears of it once a day.
     */
    private void warnOfDayTrades(Run run, Account account) {
        int count = account.daytradeCount() == null ? 0 : account.daytradeCount();
        if (!dayTradesCount(account) || (count < 3 && !account.patternDayTrader())) {
            return;
        }
        java.time.LocalDate today = java.time.LocalDate.now(NEW_YORK);
        if (today.equals(dayTradesWarned.put(run.accountId(), today))) {
            return;
        }
        store.alert(run.accountId(), run.runId(), dev.rebalancer.contracts.Severity.WARNING,
                "Day trades: " + count + " in the last five sessions",
                "Alpaca counts " + count + " day trades on this margin account under $25,000"
                        + (account.patternDayTrader() ? " and flags it a pattern day trader" : ": a fourth in five "
                                + "sessions gets it restricted as a pattern day trader")
                        + ". The rebalancer makes none: it defers selling shares bought the same day to the next session.");
    }


    /**
     * Prices from the positions (Alpaca's {@code current_price}; without it the position is held at its market value
     * and not traded, never valued at a made-up price), flags from Alpaca's assets, what can be sold from
     * {@code qty_available}, what can be bought without borrowing from {@code non_marginable_buying_power}.
     */
    private RunPlans.Account account(RebalanceRequest request, Reading reading, AlpacaClient client, Lease lease) {
        List<Holding> holdings = new ArrayList<>();
        Map<String, Position> held = new LinkedHashMap<>();
        for (Position position : reading.positions()) {
            BigDecimal available = position.qtyAvailable() != null ? position.qtyAvailable() : position.qty();
            holdings.add(new Holding(position.symbol(), position.qty(), available,
                    reading.boughtToday().getOrDefault(position.symbol(), BigDecimal.ZERO)));
            held.put(position.symbol(), position);
        }
        Set<String> symbols = new LinkedHashSet<>(held.keySet());
        for (Weight weight : request.weights()) {
            if (weight.type() == WeightType.ASSET) {
                symbols.add(weight.symbol());
            }
        }
        TaxLossHarvesting harvesting = request.strategies().taxLossHarvesting();
        if (harvesting != null) {
            // A security's substitute takes what the wash-sale guard keeps from it: it is planned with the rest.
            symbols = harvesting.withSubstitutes(symbols);
        }
        Map<String, Asset> assets = new LinkedHashMap<>();
        List<SkippedOrder> unpriced = new ArrayList<>();
        for (String symbol : symbols) {
            Optional<dev.rebalancer.alpaca.model.Asset> known = brokers.asset(client, symbol, lease::renew);
            boolean fractionable = known.map(dev.rebalancer.alpaca.model.Asset::fractionable).orElse(false);
            Asset.Restriction restriction = known.map(a -> a.tradable() ? Asset.Restriction.NONE
                    : Asset.Restriction.NOT_TRADABLE).orElse(Asset.Restriction.NOT_TRADABLE);
            Position position = held.get(symbol);
            BigDecimal price = position == null ? null : position.currentPrice();
            if (position != null && price == null) {
                price = marketPrice(position);
                restriction = Asset.Restriction.PRICE_UNKNOWN;
            }
            if (price == null && !fractionable) {
                // Whole shares need a price, and only held positions carry one (no market data is used).
                unpriced.add(new SkippedOrder(symbol, OrderSide.BUY, null, "USD", "PRICE_UNKNOWN",
                        symbol + " trades in whole shares only and is not held, so no price is known to size it"));
                continue;
            }
            // A buy by notional needs no price; one not held is worth nothing whatever its price.
            assets.put(symbol, new Asset(symbol, price == null ? BigDecimal.ONE : price, fractionable, restriction,
                    known.map(dev.rebalancer.alpaca.model.Asset::assetClass).orElse(null)));
        }
        List<Weight> weights = request.weights().stream()
                .filter(w -> w.type() != WeightType.ASSET || assets.containsKey(w.symbol())).toList();
        Account account = reading.account();
        BigDecimal buyingPower = account.nonMarginableBuyingPower() != null ? account.nonMarginableBuyingPower()
                : account.cash();
        Map<String, BigDecimal> prices = new LinkedHashMap<>();
        held.forEach((symbol, position) -> prices.put(symbol, position.currentPrice()));
        return new RunPlans.Account(new Planner.Book(account.cash(), buyingPower.min(account.cash()), holdings),
                assets, weights, prices, lots(request, reading, client), unpriced);
    }

    /** A position's price without Alpaca's current price: its market value per share, else its cost per share. */
    private static BigDecimal marketPrice(Position position) {
        BigDecimal value = position.marketValue() != null ? position.marketValue() : position.costBasis();
        if (value == null || position.qty().signum() == 0) {
            return BigDecimal.ZERO;
        }
        return value.divide(position.qty(), 9, java.math.RoundingMode.HALF_EVEN);
    }

    /** What each security's sells of a harvest brought (filled quantity at the fill price): its substitute's buy. */
    private Map<String, BigDecimal> soldFor(Run run) {
        Map<String, BigDecimal> sold = new LinkedHashMap<>();
        if (run.request().type() != RunType.TAX_LOSS_HARVEST) {
            return sold;
        }
        for (Leg leg : store.legs(run.runId())) {
            if (leg.phase() == RunPhase.SELLS && leg.filledQty() != null && leg.filledAvgPrice() != null) {
                sold.merge(leg.symbol(), leg.filledQty().multiply(leg.filledAvgPrice()), BigDecimal::add);
            }
        }
        return sold;
    }

    /** What a harvest did, in words ({@link RunPlans#harvested}), and the loss it realised. */
    private RunPlans.Harvested harvested(Run run, Broker broker, Lease lease) {
        Reading reading = read(broker, lease);
        Lots lots = lots(run.request(), reading, broker.client());
        Set<String> bought = new HashSet<>();
        Set<String> sold = new HashSet<>();
        for (Leg leg : store.legs(run.runId())) {
            if (leg.filledQty() != null && leg.filledQty().signum() > 0) {
                if (leg.phase() == RunPhase.SELLS) {
                    sold.add(leg.clientOrderId());
                } else {
                    bought.add(leg.symbol());
                }
            }
        }
        return RunPlans.harvested(run.request(), lots, sold, bought, Instant.now());
    }

    /** The account's tax lots: its ledger of fills, and what it holds beyond them at Alpaca's average entry price. */
    private Lots lots(RebalanceRequest request, Reading reading, AlpacaClient client) {
        if (request.strategies().taxLossHarvesting() == null) {
            return Lots.of(List.of());
        }
        Map<String, FillLedger.Held> held = new LinkedHashMap<>();
        for (Position position : reading.positions()) {
            held.put(position.symbol(), new FillLedger.Held(position.qty(), position.avgEntryPrice()));
        }
        return ledger.lots(request.accountId(), held, client);
    }
}
