package dev.rebalancer.portfolio.book;

import dev.rebalancer.contracts.Evidence;
import dev.rebalancer.contracts.InitiatedFrom;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunCancellation;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Topics;
import dev.rebalancer.contracts.Trigger;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.portfolio.alpaca.AssetCatalog;
import dev.rebalancer.portfolio.alpaca.SnapshotRequests;
import dev.rebalancer.portfolio.domain.InvalidInput;
import dev.rebalancer.portfolio.domain.ManualRun;
import dev.rebalancer.portfolio.messaging.Outbox;
import dev.rebalancer.portfolio.persistence.AccountEntity;
import dev.rebalancer.portfolio.persistence.NativeValues;
import dev.rebalancer.portfolio.persistence.RunEntity;
import dev.rebalancer.portfolio.persistence.SubscriptionEntity;
import dev.rebalancer.portfolio.domain.Refusal;
import dev.rebalancer.portfolio.domain.Paging;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Runs: manual ones created here, every one recorded as the executor reports it. */
@ApplicationScoped
public class RunBook {

    private static final Set<String> UNFINISHED = Set.of(RunStatus.QUEUED.name(), RunStatus.IN_PROGRESS.name());

    private final Outbox outbox;
    private final AssetCatalog assets;
    private final SubscriptionBook subscriptions;
    private final SnapshotRequests snapshots;
    private final EntityManager entityManager;
    private final io.micrometer.core.instrument.Timer depositToFirstOrder;

    /** Timer (histogram): a deposit seen at Alpaca → the first order of the run that invests it submitted. */
    public static final String DEPOSIT_TO_FIRST_ORDER = "rebalancer.deposit.first.order";

    RunBook(Outbox outbox, AssetCatalog assets, SubscriptionBook subscriptions, SnapshotRequests snapshots,
            EntityManager entityManager, io.micrometer.core.instrument.MeterRegistry registry) {
        this.depositToFirstOrder = io.micrometer.core.instrument.Timer.builder(DEPOSIT_TO_FIRST_ORDER)
                .description("From a deposit being seen at Alpaca to its invest_cash run's first order being submitted")
                .publishPercentileHistogram().minimumExpectedValue(java.time.Duration.ofMillis(50))
                .maximumExpectedValue(java.time.Duration.ofMinutes(10)).register(registry);
        this.outbox = outbox;
        this.assets = assets;
        this.subscriptions = subscriptions;
        this.snapshots = snapshots;
        this.entityManager = entityManager;
    }

    /**
     * {@code POST /v1/rebalancing/runs}. Alpaca: only for accounts without an active subscription, and only one run
     * in a non-terminal status per account.
     */
    @Transactional
    public Views.Run createManual(ManualRun request) {
        String accountId = request.accountId();
        RunType type = request.type();
        List<Weight> weights = request.weights();
        BigDecimal amount = request.amount();
        if (AccountEntity.findById(accountId, LockModeType.PESSIMISTIC_WRITE) == null) {
            throw new InvalidInput("account_id", "no managed account " + accountId);
        }
        if (SubscriptionEntity.activeFor(accountId).isPresent()) {
            throw new InvalidInput("account_id", "account " + accountId + " has an active subscription; manual runs "
                    + "are only allowed for accounts without one");
        }
        if (RunEntity.count("accountId = ?1 and status in ?2", accountId, UNFINISHED) > 0) {
            throw new InvalidInput("account_id", "account " + accountId + " has an unfinished run; only one run in a "
                    + "non-terminal status is allowed at a time");
        }
        assets.requireUsable(weights);

        Instant now = Clock.now();
        String runId = UUID.randomUUID().toString();
        String requestId = "manual:" + runId;
        // Alpaca's SDK requires a portfolio_id on every run: a manual run's weights get an id of their own, the same
        // for the same weights.
        UUID portfolioId = UUID.nameUUIDFromBytes(("manual-weights:" + Json.write(weights))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        RunEntity run = new RunEntity();
        run.id = runId;
        run.portfolioId = portfolioId;
        run.accountId = accountId;
        run.requestId = requestId;
        run.type = name(type);
        run.amount = amount;
        run.initiatedFrom = "api";
        run.status = RunStatus.QUEUED.name();
        run.weights = Json.write(weights);
        run.orders = "[]";
        run.failedOrders = "[]";
        run.skippedOrders = "[]";
        run.createdAt = now;
        run.updatedAt = now;
        run.persist();
        outbox.publish(Topics.REBALANCE_REQUESTS, new RebalanceRequest(UUID.randomUUID().toString(), accountId, now,
                requestId, runId, type, amount, Trigger.MANUAL,
                new Evidence("manual " + name(type) + " run requested through the API", List.of()),
                portfolioId.toString(), weights, InitiatedFrom.API));
        return view(run);
    }

    /** {@code DELETE /v1/rebalancing/runs/{id}}: asks the executor to cancel; only unfinished runs can be canceled. */
    @Transactional
    public void cancel(String id) {
        RunEntity run = find(id);
        if (!UNFINISHED.contains(run.status)) {
            throw Refusal.notAllowed("run " + id + " is " + run.status + " and can no longer be canceled");
        }
        outbox.publish(Topics.REBALANCE_REQUESTS, new RunCancellation(UUID.randomUUID().toString(), run.accountId,
                Clock.now(), run.id, "canceled through the API"));
    }

    @Transactional
    public Views.Run get(String id) {
        return view(find(id));
    }

    @Transactional
    public Views.Runs list(String accountId, String status, String type, String pageToken, String limit) {
        Paging paging = Paging.of(pageToken, limit);
        StringBuilder where = new StringBuilder("1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (accountId != null) {
            where.append(" and accountId = :account");
            params.put("account", accountId);
        }
        if (status != null) {
            where.append(" and status = :status");
            params.put("status", runStatus(status).name());
        }
        if (type != null) {
            where.append(" and type = :type");
            params.put("type", name(runType(type)));
        } else {
            // A type Alpaca's runs do not have is listed only when asked for: an SDK listing runs never meets it.
            where.append(" and type not in :ours");
            params.put("ours", List.of(name(RunType.PARTIAL_LIQUIDATION), name(RunType.TAX_LOSS_HARVEST)));
        }
        PanacheQuery<RunEntity> query = RunEntity.find(where.toString(),
                Sort.descending("createdAt").and("id", Sort.Direction.Descending), params);
        long total = query.count();
        List<Views.Run> page = query.range(paging.offset(), paging.offset() + paging.limit() - 1).list().stream()
                .map(RunBook::view).toList();
        return new Views.Runs(page, paging.next(page.size(), total));
    }

    /**
     * Records a run update from the executor, once per event id. Updates older than what is stored change nothing;
     * reaching a final status records the rebalance on the subscription and re-reads the account's positions.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(RunEvent event) {
        int fresh = entityManager.createNativeQuery(
                "INSERT INTO processed_event (event_id, processed_at) VALUES (?1, now()) ON CONFLICT DO NOTHING")
                .setParameter(1, event.eventId()).executeUpdate();
        if (fresh == 0) {
            return;
        }
        RunEntity run = RunEntity.findById(event.runId(), LockModeType.PESSIMISTIC_WRITE);
        boolean wasFinal = false;
        if (run == null) {
            run = new RunEntity();
            run.id = event.runId();
            run.createdAt = event.createdAt();
        } else if (event.updatedAt().isBefore(run.updatedAt)) {
            return;
        } else {
            wasFinal = RunStatus.valueOf(run.status).isFinal();
        }
        run.accountId = event.accountId();
        run.portfolioId = event.portfolioId() == null ? null : UUID.fromString(event.portfolioId());
        run.requestId = event.requestId();
        run.type = name(event.type());
        run.amount = event.amount();
        run.initiatedFrom = event.initiatedFrom().name().toLowerCase(Locale.ROOT);
        run.status = event.status().name();
        run.reason = event.reason();
        run.weights = Json.write(event.weights());
        run.orders = AlpacaOrders.orders(event.orders());
        run.failedOrders = AlpacaOrders.orders(event.failedOrders());
        run.skippedOrders = AlpacaOrders.skipped(event.skippedOrders());
        run.dryRun = event.dryRun();
        run.turnover = event.turnover();
        run.estimatedCost = event.estimatedCost();
        run.harvestedLoss = event.harvestedLoss();
        run.updatedAt = event.updatedAt();
        run.completedAt = event.completedAt();
        run.canceledAt = event.canceledAt();
        run.persist();
        if (event.status().isFinal() && !wasFinal) {
            if (event.startsCooldown()) {
                subscriptions.rebalanced(event.accountId(),
                        event.completedAt() != null ? event.completedAt() : event.updatedAt());
            }
            snapshots.request(event.accountId());
            depositLatency(event);
        }
    }

    /** Once per run, when it ends: how long its deposit waited for the run's first order. */
    private void depositLatency(RunEvent event) {
        java.util.Optional<String> deposit = RebalanceRequest.depositOf(event.requestId());
        if (event.type() != RunType.INVEST_CASH || deposit.isEmpty()) {
            return;
        }
        java.util.Optional<Instant> firstOrder = event.firstOrderSubmittedAt();
        if (firstOrder.isEmpty()) {
            return;
        }
        List<?> seenAt = entityManager.createNativeQuery("SELECT seen_at FROM seen_activity WHERE activity_id = ?1")
                .setParameter(1, deposit.get()).getResultList();
        if (seenAt.isEmpty()) {
            return;
        }
        java.time.Duration latency = java.time.Duration.between(NativeValues.instant(seenAt.get(0)), firstOrder.get());
        outbox.afterCommit(() -> depositToFirstOrder.record(latency.isNegative() ? java.time.Duration.ZERO : latency));
    }

    private static RunEntity find(String id) {
        RunEntity run = RunEntity.findById(id);
        if (run == null) {
            throw Refusal.notFound("run not found: " + id);
        }
        return run;
    }

    private static final java.time.ZoneId NEW_YORK = java.time.ZoneId.of("America/New_York");

    /**
     * The losses the account's harvests realised in a calendar year, New York time ({@code year} null: this one), each
     * harvest with its words; 404 for an account that is not managed, 422 for a year that is not one.
     */
    @Transactional
    public Views.HarvestedLosses harvestedLosses(String accountId, String year) {
        if (dev.rebalancer.portfolio.persistence.AccountEntity.findById(accountId) == null) {
            throw Refusal.notFound("account not found: " + accountId);
        }
        int asked;
        try {
            asked = year == null ? java.time.LocalDate.now(NEW_YORK).getYear() : Integer.parseInt(year.trim());
        } catch (NumberFormatException e) {
            throw new InvalidInput("year", "must be a year such as 2026, got \"" + year + "\"");
        }
        if (asked < 2000 || asked > 9999) {
            throw new InvalidInput("year", "must be a year such as 2026, got " + asked);
        }
        Instant from = java.time.LocalDate.of(asked, 1, 1).atStartOfDay(NEW_YORK).toInstant();
        Instant to = java.time.LocalDate.of(asked + 1, 1, 1).atStartOfDay(NEW_YORK).toInstant();
        List<Views.Harvest> harvests = RunEntity.<RunEntity>list("accountId = ?1 and type = ?2 and harvestedLoss is not"
                + " null and completedAt >= ?3 and completedAt < ?4", Sort.ascending("completedAt"), accountId,
                name(RunType.TAX_LOSS_HARVEST), from, to).stream()
                .map(r -> new Views.Harvest(r.id, r.completedAt, r.reason, r.harvestedLoss)).toList();
        return new Views.HarvestedLosses(accountId, asked, harvests.stream().map(Views.Harvest::harvestedLoss)
                .reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add).setScale(2), harvests);
    }

    /** A run type by Alpaca's name for it; a name it does not know is refused naming the field {@code type}. */
    public static RunType runType(String text) {
        for (RunType type : RunType.values()) {
            if (name(type).equals(text)) {
                return type;
            }
        }
        throw new InvalidInput("type", "must be one of full_rebalance, invest_cash, partial_liquidation, "
                + "tax_loss_harvest, got \""
                + text + "\"");
    }

    private static RunStatus runStatus(String text) {
        try {
            return RunStatus.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidInput("status", "must be one of " + Arrays.toString(RunStatus.values()) + ", got \""
                    + text + "\"");
        }
    }

    private static String name(RunType type) {
        return type.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Cancels the runs the system queued for the account (drift, deposits, calendar) that have not started; manual
     * runs stay. In the caller's transaction, through the outbox. Returns how many.
     */
    static int cancelQueuedAutomatic(Outbox outbox, String accountId, Instant at, String reason) {
        List<RunEntity> queued = RunEntity.queuedAutomatic(accountId);
        for (RunEntity run : queued) {
            outbox.publish(Topics.REBALANCE_REQUESTS, new RunCancellation(UUID.randomUUID().toString(), accountId, at,
                    run.id, reason));
        }
        return queued.size();
    }

    static Views.Run view(RunEntity r) {
        return new Views.Run(r.id, r.type, r.amount, r.initiatedFrom, r.status, r.reason, r.accountId,
                r.portfolioId == null ? null : r.portfolioId.toString(), r.weights, r.orders, r.failedOrders,
                r.skippedOrders, r.completedAt, r.canceledAt, r.createdAt, r.updatedAt, r.dryRun, r.turnover,
                r.estimatedCost, r.harvestedLoss);
    }
}
