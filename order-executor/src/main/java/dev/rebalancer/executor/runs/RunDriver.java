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
import dev.rebalancer.executor.domain.Asset;
import dev.rebalancer.executor.domain.Holding;
import dev.rebalancer.executor.domain.Plan;
import dev.rebalancer.executor.domain.Planner;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
        /** Extends the hold; throws {@link LostLease} when another instance has taken the run over. */
        void renew();

        /** Lets the run go, to be taken again at {@code notBefore} (null: at once). */
        void release(Instant notBefore);
    }

    public static final class LostLease extends RuntimeException {
        public LostLease(String runId) {
            super("run " + runId + " is no longer held by this instance");
        }
    }

    private enum Outcome { DONE, CANCELED, TIMEOUT, HALTED }

    private static final Logger LOG = Logger.getLogger(RunDriver.class);

    private final RunStore store;
    private final Brokers brokers;
    private final TradingSwitch tradingSwitch;
    private final Checkpoints checkpoints;
    private final ExecutorConfig.Runs settings;
    private final Planner planner;

    RunDriver(RunStore store, Brokers brokers, TradingSwitch tradingSwitch, Checkpoints checkpoints,
            ExecutorConfig config) {
        this.store = store;
        this.brokers = brokers;
        this.tradingSwitch = tradingSwitch;
        this.checkpoints = checkpoints;
        this.settings = config.runs();
        this.planner = new Planner(settings.reserveBasisPoints());
    }

    public void drive(String runId, Lease lease) {
        Run run = store.run(runId).orElseThrow();
        if (run.status().isFinal()) {
            return;
        }
        Optional<Broker> found = brokers.forAccount(run.accountId());
        if (found.isEmpty()) {
            store.finish(runId, RunStatus.ERROR, "account " + run.accountId() + " is not traded by this executor "
                    + "(no Alpaca keys configured for it)");
            return;
        }
        Broker broker = found.get();
        if (run.status() == RunStatus.QUEUED && run.dryRun() != broker.dryRun()) {
            // Accepted while Alpaca had not yet said whose keys these are: the account's own setting holds.
            store.dryRun(runId, broker.dryRun());
            run = store.run(runId).orElseThrow();
        }
        if (run.cancelRequested()) {
            cancel(run, broker, "cancel requested");
            return;
        }
        boolean resumed = run.status() == RunStatus.IN_PROGRESS;
        if (run.status() == RunStatus.QUEUED) {
            if (!run.dryRun() && tradingSwitch.halted()) {
                lease.release(null);
                return;
            }
            MarketClock clock = broker.client().clock();
            if (!clock.isOpen() || clock.untilClose().compareTo(settings.minimumBeforeClose()) < 0) {
                Instant recheck = Instant.now().plus(settings.closedRecheck());
                Instant opens = clock.nextOpen() == null ? recheck : clock.nextOpen().toInstant();
                lease.release(opens.isBefore(recheck) ? opens : recheck);
                return;
            }
            if (!startFirstPhase(run, broker)) {
                return;
            }
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
                    cancel(store.run(runId).orElseThrow(), broker, "cancel requested");
                    return;
                }
                case TIMEOUT -> {
                    cancelOpenOrders(run, broker);
                    store.finish(runId, RunStatus.TIMEOUT, "the " + run.phase().name().toLowerCase()
                            + " were not all filled within " + settings.fillTimeout().toSeconds() + " s; open orders canceled");
                    return;
                }
                case HALTED -> {
                    lease.release(null);
                    return;
                }
                case DONE -> {
                }
            }
            if (run.phase() == RunPhase.SELLS && run.request().type() != RunType.PARTIAL_LIQUIDATION) {
                Plan buys = plan(run.request(), read(broker), broker.client());
                checkpoints.reached(Checkpoints.BUYS_PLANNED, runId);
                store.startPhase(runId, RunPhase.BUYS, buys.buys(), onlySide(buys.skipped(), OrderSide.BUY), false);
                continue;
            }
            finish(runId);
            return;
        }
    }

    /** Plans the run; records a dry run's plan and ends it; otherwise starts with the sells (or the buys if none). */
    private boolean startFirstPhase(Run run, Broker broker) {
        Plan plan = plan(run.request(), read(broker), broker.client());
        if (run.dryRun()) {
            store.startPhase(run.runId(), RunPhase.SELLS, plan.sells(), plan.skipped(), true);
            if (!plan.buys().isEmpty()) {
                store.startPhase(run.runId(), RunPhase.BUYS, plan.buys(), List.of(), true);
            }
            LOG.infof("dry run %s: %d orders planned, none sent", run.runId(),
                    plan.sells().size() + plan.buys().size());
            store.finish(run.runId(), plan.skipped().isEmpty() ? RunStatus.COMPLETED_SUCCESS
                    : RunStatus.COMPLETED_ADJUSTED, "dry run: the plan is recorded, no order was sent");
            return false;
        }
        if (!plan.sells().isEmpty()) {
            store.startPhase(run.runId(), RunPhase.SELLS, plan.sells(), onlySide(plan.skipped(), OrderSide.SELL), false);
        } else {
            store.startPhase(run.runId(), RunPhase.BUYS, plan.buys(), plan.skipped(), false);
        }
        return true;
    }

    private void finish(String runId) {
        Run run = store.run(runId).orElseThrow();
        boolean adjusted = !run.skipped().isEmpty()
                || store.legs(runId).stream().anyMatch(leg -> !leg.filled());
        store.finish(runId, adjusted ? RunStatus.COMPLETED_ADJUSTED : RunStatus.COMPLETED_SUCCESS, null);
    }

    // ---- one phase ----------------------------------------------------------------------------------------------

    /** Sends the phase's orders that are not out yet, then waits until every one is settled. */
    private Outcome execute(Run run, Broker broker, Lease lease, boolean resumed) {
        broker.watch().ensureOpen(Duration.ofSeconds(2));
        for (Leg leg : phaseLegs(run)) {
            if (leg.state() != Leg.State.PLANNED && leg.state() != Leg.State.SENDING) {
                continue;
            }
            Outcome stop = interruption(run.runId());
            if (stop != null) {
                return stop;
            }
            lease.renew();
            send(leg, broker, run.accountId());
        }
        checkpoints.reached(Checkpoints.sent(run.phase()), run.runId());
        Instant deadline = run.phaseStartedAt().plus(settings.fillTimeout());
        Instant lastPoll = resumed ? Instant.EPOCH : Instant.now();
        Instant lastRenew = Instant.now();
        while (true) {
            long seen = broker.watch().version();
            List<Leg> legs = phaseLegs(run);
            boolean poll = Duration.between(lastPoll, Instant.now()).compareTo(
                    broker.watch().connected() ? settings.streamCheckInterval() : settings.pollInterval()) >= 0;
            if (poll) {
                lastPoll = Instant.now();
            }
            for (Leg leg : legs) {
                if (leg.state() == Leg.State.PLANNED || leg.state() == Leg.State.SENDING) {
                    if (interruption(run.runId()) == null) {
                        send(leg, broker, run.accountId());
                    }
                } else if (leg.open()) {
                    refresh(leg, broker, poll);
                }
            }
            boolean allSettled = phaseLegs(run).stream().allMatch(Leg::settled);
            if (allSettled) {
                return Outcome.DONE;
            }
            Outcome stop = interruption(run.runId());
            if (stop == Outcome.CANCELED) {
                return stop;
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

    /** A cancel request or an engaged halt, checked before every order sent. */
    private Outcome interruption(String runId) {
        if (store.run(runId).orElseThrow().cancelRequested()) {
            return Outcome.CANCELED;
        }
        return tradingSwitch.halted() ? Outcome.HALTED : null;
    }

    private List<Leg> phaseLegs(Run run) {
        return store.legs(run.runId()).stream().filter(leg -> leg.phase() == run.phase()).toList();
    }

    /** Takes the order's state from the stream, or from Alpaca when it is time to poll. */
    private void refresh(Leg leg, Broker broker, boolean poll) {
        Optional<Order> streamed = broker.watch().latest(leg.clientOrderId());
        if (streamed.isPresent() && !streamed.get().status().equals(leg.status())) {
            store.sent(leg.clientOrderId(), streamed.get());
            if (streamed.get().isTerminal()) {
                return;
            }
        }
        if (poll) {
            try {
                store.sent(leg.clientOrderId(), broker.client().order(leg.alpacaId()));
            } catch (AlpacaException e) {
                LOG.debugf("order %s not read (%s); trying again later", leg.clientOrderId(), e.getMessage());
            }
        }
    }

    /**
     * Sends one order, recorded as SENDING first. Its fate unclear (no answer, a 5xx, a duplicate id): looked up by
     * client order id; Alpaca has it → SENT; Alpaca has none → PLANNED, to be sent again under the same id, which
     * Alpaca would refuse as a duplicate if it had taken the first one after all.
     */
    private void send(Leg leg, Broker broker, String accountId) {
        AlpacaClient client = broker.client();
        if (leg.state() == Leg.State.SENDING && lookup(leg, client)) {
            return;
        }
        store.sending(leg.clientOrderId());
        try {
            Order order = client.submitOrder(request(leg));
            checkpoints.reached(Checkpoints.ORDER_POSTED, leg.runId());
            store.sent(leg.clientOrderId(), order);
        } catch (AlpacaException.DuplicateClientOrderId e) {
            lookup(leg, client);
        } catch (AlpacaException.RateLimited e) {
            store.notSent(leg.clientOrderId());
        } catch (AlpacaException.Unauthorized e) {
            throw e;
        } catch (AlpacaException e) {
            if (e.outcomeUnknown()) {
                LOG.warnf("order %s: %s; looking it up by client order id", leg.clientOrderId(), e.getMessage());
                lookup(leg, client);
            } else {
                store.rejected(leg, accountId, e.alpacaMessage());
            }
        }
    }

    /** True when Alpaca has the order (now recorded as SENT); otherwise it is PLANNED again. */
    private boolean lookup(Leg leg, AlpacaClient client) {
        try {
            Optional<Order> order = client.orderByClientOrderId(leg.clientOrderId());
            if (order.isPresent()) {
                store.sent(leg.clientOrderId(), order.get());
                return true;
            }
            store.notSent(leg.clientOrderId());
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

    private void cancel(Run run, Broker broker, String reason) {
        cancelOpenOrders(run, broker);
        boolean anySent = store.legs(run.runId()).stream()
                .anyMatch(leg -> leg.state() == Leg.State.SENT || leg.state() == Leg.State.SENDING);
        store.finish(run.runId(), anySent ? RunStatus.CANCELED_MID_RUN : RunStatus.CANCELED,
                run.reason() != null ? run.reason() : reason);
    }

    private void cancelOpenOrders(Run run, Broker broker) {
        for (Leg leg : store.legs(run.runId())) {
            if (leg.state() == Leg.State.SENDING) {
                lookup(leg, broker.client());
            }
        }
        for (Leg leg : store.legs(run.runId())) {
            if (!leg.open()) {
                continue;
            }
            try {
                broker.client().cancelOrder(leg.alpacaId());
            } catch (AlpacaException e) {
                LOG.infof("order %s not canceled: %s", leg.clientOrderId(), e.getMessage());
            }
            try {
                store.sent(leg.clientOrderId(), broker.client().order(leg.alpacaId()));
            } catch (AlpacaException e) {
                LOG.debugf("order %s not read after cancel: %s", leg.clientOrderId(), e.getMessage());
            }
        }
    }

    // ---- planning -----------------------------------------------------------------------------------------------

    private record Reading(Account account, List<Position> positions) {
    }

    private Reading read(Broker broker) {
        return new Reading(broker.client().account(), broker.client().positions());
    }

    /** The request's plan at the account as just read; prices from the positions, flags from Alpaca's assets. */
    private Plan plan(RebalanceRequest request, Reading reading, AlpacaClient client) {
        List<Holding> holdings = new ArrayList<>();
        Map<String, BigDecimal> prices = new LinkedHashMap<>();
        for (Position position : reading.positions()) {
            holdings.add(new Holding(position.symbol(), position.qty()));
            prices.put(position.symbol(), position.currentPrice());
        }
        Set<String> symbols = new LinkedHashSet<>(prices.keySet());
        for (Weight weight : request.weights()) {
            if (weight.type() == WeightType.ASSET) {
                symbols.add(weight.symbol());
            }
        }
        Map<String, Asset> assets = new LinkedHashMap<>();
        List<SkippedOrder> unpriced = new ArrayList<>();
        for (String symbol : symbols) {
            boolean fractionable = brokers.asset(client, symbol)
                    .map(dev.rebalancer.alpaca.model.Asset::fractionable).orElse(false);
            BigDecimal price = prices.get(symbol);
            if (price == null && !fractionable) {
                // Whole shares need a price, and only held positions carry one (no market data is used).
                unpriced.add(new SkippedOrder(symbol, OrderSide.BUY, null, "USD", "PRICE_UNKNOWN",
                        symbol + " trades in whole shares only and is not held, so no price is known to size it"));
                continue;
            }
            assets.put(symbol, new Asset(symbol, price == null ? BigDecimal.ONE : price, fractionable));
        }
        List<Weight> weights = request.weights().stream()
                .filter(w -> w.type() != WeightType.ASSET || assets.containsKey(w.symbol())).toList();
        Planner.Book book = new Planner.Book(reading.account().cash(), holdings);
        Plan plan = switch (request.type()) {
            case FULL_REBALANCE -> planner.fullRebalance(book, weights, assets);
            case INVEST_CASH -> planner.investCash(book, weights, assets, request.amount());
            case PARTIAL_LIQUIDATION -> planner.partialLiquidation(book, weights, assets, request.amount());
        };
        if (unpriced.isEmpty()) {
            return plan;
        }
        List<SkippedOrder> skipped = new ArrayList<>(plan.skipped());
        skipped.addAll(unpriced);
        return new Plan(plan.sells(), plan.buys(), skipped);
    }

    private static List<SkippedOrder> onlySide(List<SkippedOrder> skipped, OrderSide side) {
        return skipped.stream().filter(s -> s.side() == side).toList();
    }
}
