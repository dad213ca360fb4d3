package dev.rebalancer.executor.runs;

import dev.rebalancer.runtime.Transactions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rebalancer.alpaca.AlpacaClient;
import dev.rebalancer.alpaca.AlpacaClientOptions;
import dev.rebalancer.alpaca.AlpacaEndpoint;
import dev.rebalancer.alpaca.AlpacaException;
import dev.rebalancer.alpaca.KeySplit;
import dev.rebalancer.alpaca.RequestBudget;
import dev.rebalancer.alpaca.RequestBudget.Purpose;
import dev.rebalancer.alpaca.model.Activity;
import dev.rebalancer.alpaca.model.Order;
import dev.rebalancer.contracts.OrderSide;
import dev.rebalancer.contracts.RebalanceRequest;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.RunType;
import dev.rebalancer.contracts.Weight;
import dev.rebalancer.executor.alpaca.SharedRequestBudget;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One Alpaca key, 200 requests a minute, shared by portfolio-service's polling (its share) and the executor's
 * replicas (the rest, through their database): this executor, and a second replica played by a client on a budget of
 * its own over the same database, as another process would have.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "executor"))
@WithTestResource(AlpacaSimResource.class)
class OneKeyBudgetTest {

    static final String KEY = "exec-t32";
    static final KeySplit SPLIT = new KeySplit(AlpacaClientOptions.ALPACA_REQUESTS_PER_MINUTE, 0.65);
    static final Duration LOCAL_STACK_DEPOSIT_POLL = Duration.ofMillis(500);

    @ConfigProperty(name = "rebalancer.accounts.main.base-url")
    URI simulator;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;
    @ConfigProperty(name = "quarkus.datasource.username")
    String dbUser;
    @ConfigProperty(name = "quarkus.datasource.password")
    String dbPassword;
    @jakarta.inject.Inject
    Db db;

    Harness harness;
    final ExecutorService threads = Executors.newCachedThreadPool();
    final AtomicBoolean stop = new AtomicBoolean();

    @BeforeEach
    void setUp() {
        harness = new Harness(simulator, bootstrap);
    }

    @AfterEach
    void tearDown() throws Exception {
        stop.set(true);
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
        harness.close();
    }

    /** A budget over the executor's database, as another replica (another process) has one. */
    DataSource otherReplicasDatabase() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(jdbcUrl);
        dataSource.setUser(dbUser);
        dataSource.setPassword(dbPassword);
        return dataSource;
    }

    SharedRequestBudget otherReplicasBudget(String key, int perMinute) {
        return new SharedRequestBudget(otherReplicasDatabase(), key, perMinute, Duration.ofSeconds(15),
                RequestBudget.Sleeper.THREAD);
    }

    @Test
    void polling_and_a_second_replica_saturate_the_key_yet_deposits_are_invested_within_two_seconds_and_twenty_symbol_rebalances_never_meet_a_429()
            throws Exception {
        List<String> symbols = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            String symbol = "K%02d".formatted(i);
            symbols.add(symbol);
            harness.sim.asset(symbol, Integer.toString(40 + 10 * i), true, true);
        }
        String account = harness.account(KEY, "50000");
        AlpacaEndpoint endpoint = new AlpacaEndpoint(simulator, KEY, Harness.SECRET);

        // portfolio-service: deposits polled every 0.5 s (the local stack's rate: 120 of its 130 a minute); a new cash
        // deposit becomes an invest_cash request, as the drift monitor makes it.
        AlpacaClient portfolioService = new AlpacaClient(endpoint,
                AlpacaClientOptions.defaults().withRequestsPerMinute(SPLIT.portfolioPerMinute())).background();
        Set<String> seenDeposits = ConcurrentHashMap.newKeySet();
        List<Instant> depositsSeenAt = new CopyOnWriteArrayList<>();
        AtomicReference<String> investRun = new AtomicReference<>();
        AtomicLong polls = new AtomicLong();
        List<Weight> spread = weights(symbols, false);
        portfolioService.activities(List.of("CSD"), null, null, 100).forEach(a -> seenDeposits.add(a.id()));
        threads.submit(() -> {
            while (!stop.get()) {
                long started = System.nanoTime();
                try {
                    for (Activity deposit : portfolioService.activities(List.of("CSD"), null, null, 100)) {
                        if (seenDeposits.add(deposit.id())) {
                            depositsSeenAt.add(Instant.now());
                            RebalanceRequest request = harness.request(account, RunType.INVEST_CASH,
                                    deposit.netAmount().toPlainString(), spread);
                            investRun.set(request.runId());
                            harness.send(request, account);
                        }
                    }
                    polls.incrementAndGet();
                } catch (Exception e) {
                    // polled again next time
                }
                long left = LOCAL_STACK_DEPOSIT_POLL.toNanos() - (System.nanoTime() - started);
                if (left > 0) {
                    TimeUnit.NANOSECONDS.sleep(left);
                }
            }
            return null;
        });

        // The second replica: background reads as fast as its budget lets them (a quarter of the executors' part).
        AlpacaClient otherReplica = new AlpacaClient(endpoint, AlpacaClientOptions.defaults(),
                otherReplicasBudget(KEY, SPLIT.executorsPerMinute()));
        AtomicLong otherReplicaRequests = new AtomicLong();
        AtomicLong otherReplicaFillChecks = new AtomicLong();
        asFastAsAllowed(() -> otherReplica.background().positions(), otherReplicaRequests);
        // Saturated: the executors' minute on the key holds as many requests as background reads may fill.
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> otherReplicaRequests.get() > 0
                && countedThisMinute(KEY) >= SPLIT.executorsPerMinute() / 4);

        // A first deposit meets a service just started (its consumer joining the group, the configured keys asked
        // whose they are); the second, a running one. Both land while the key is saturated by polling.
        Duration started = invest(account, "1000", investRun, depositsSeenAt);
        Duration running = invest(account, "1500", investRun, depositsSeenAt);
        System.out.printf("[one-key budget] deposit -> first buy: %d ms just after start, %d ms running%n",
                started.toMillis(), running.toMillis());
        assertThat(running).isLessThan(Duration.ofSeconds(2));

        // Two minutes of 20-symbol rebalances, one after another, while the other replica checks fills as fast as
        // the shared budget lets it: every run completes, and Alpaca never answers the key with a 429.
        asFastAsAllowed(() -> otherReplica.orders("open", 50, "asc"), otherReplicaFillChecks);
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        List<RunEvent> rebalances = new ArrayList<>();
        boolean tilted = true;
        while (System.nanoTime() < deadline) {
            RebalanceRequest request = harness.request(account, RunType.FULL_REBALANCE, null,
                    weights(symbols, tilted));
            tilted = !tilted;
            harness.send(request, account);
            rebalances.add(harness.awaitFinal(request.runId(), Duration.ofMinutes(2)));
        }
        stop.set(true);

        System.out.printf("[one-key budget] %d rebalances of 20 symbols in 2 min; the other replica sent %d background"
                + " reads and %d fill checks; %d deposit polls; Alpaca answered %d requests on the key, %d of them with"
                + " 429%n", rebalances.size(), otherReplicaRequests.get(), otherReplicaFillChecks.get(), polls.get(),
                harness.sim.stats(account).get("requests").asLong(),
                harness.sim.stats(account).get("rate_limited").asLong());
        assertThat(rebalances).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(run -> assertThat(run.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS));
        assertThat(rebalances.get(1).orders()).hasSizeGreaterThanOrEqualTo(20);
        assertThat(otherReplicaFillChecks.get()).as("the other replica's share of the key").isPositive();
        assertThat(harness.sim.stats(account).get("rate_limited").asLong()).as("requests Alpaca refused with 429")
                .isZero();
        assertThat(harness.orders(KEY)).isNotEmpty(); // and none sent twice (the simulator's count)
    }

    /** Sends the request again and again until the test ends, counting the answers; Alpaca errors do not stop it. */
    void asFastAsAllowed(Runnable request, AtomicLong answered) {
        threads.submit(() -> {
            while (!stop.get()) {
                try {
                    request.run();
                    answered.incrementAndGet();
                } catch (AlpacaException e) {
                    // as a replica would, it carries on
                }
            }
            return null;
        });
    }

    /** The requests on the key the executors' shared budget counts in the last minute. */
    long countedThisMinute(String key) {
        return db.inTransaction(c -> Transactions.one(c, "SELECT coalesce(sum(used), 0) FROM alpaca_budget_seconds"
                + " WHERE key_hash = ? AND second >= floor(extract(epoch FROM clock_timestamp())) - 60",
                row -> row.getLong(1), SharedRequestBudget.hash(key)).orElse(0L));
    }

    /** Deposits the amount; answers the time from the deposit to the first buy of the run it caused. */
    Duration invest(String account, String amount, AtomicReference<String> investRun, List<Instant> depositsSeenAt) {
        String before = investRun.get();
        int seen = depositsSeenAt.size();
        Instant deposited = Instant.now();
        harness.sim.deposit(account, amount);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> depositsSeenAt.size() > seen
                && investRun.get() != null && !investRun.get().equals(before));
        RunEvent invested = harness.awaitFinal(investRun.get(), Duration.ofSeconds(60));
        assertThat(invested.status()).isEqualTo(RunStatus.COMPLETED_SUCCESS);
        Instant firstBuy = invested.orders().stream().filter(o -> o.side() == OrderSide.BUY)
                .map(RunOrder::submittedAt).min(Comparator.naturalOrder()).orElseThrow();
        assertThat(Duration.between(deposited, depositsSeenAt.get(seen)))
                .as("seen by polling at the local stack's rate").isLessThan(Duration.ofSeconds(1));
        return Duration.between(deposited, firstBuy);
    }

    /** Twenty assets and 5 % cash; tilted moves weight between the odd and the even ones. */
    static List<Weight> weights(List<String> symbols, boolean tilted) {
        List<Weight> weights = new ArrayList<>();
        weights.add(Weight.cash("5"));
        for (int i = 0; i < symbols.size(); i++) {
            String percent = !tilted ? "4.75" : i % 2 == 0 ? "6.75" : "2.75";
            weights.add(Weight.asset(symbols.get(i), percent));
        }
        return weights;
    }

    @Test
    void replicas_share_one_minute_and_rank_requests_by_purpose() throws Exception {
        String key = "budget-" + java.util.UUID.randomUUID();
        List<Duration> waits = new CopyOnWriteArrayList<>();
        RequestBudget.Sleeper refuseToWait = wait -> {
            waits.add(wait);
            throw new InterruptedException("would wait " + wait.toMillis() + " ms");
        };
        RequestBudget one = new SharedRequestBudget(otherReplicasDatabase(), key, 10, Duration.ofSeconds(5),
                refuseToWait);
        RequestBudget other = new SharedRequestBudget(otherReplicasDatabase(), key, 10, Duration.ofSeconds(5),
                refuseToWait);

        for (int i = 0; i < 2; i++) {
            one.acquire(Purpose.BACKGROUND);
        }
        // Background reads may fill a quarter of the minute, whichever replica asks.
        assertThatThrownBy(() -> other.acquire(Purpose.BACKGROUND)).isInstanceOf(InterruptedException.class);
        for (int i = 0; i < 7; i++) {
            other.acquire(Purpose.READ);
        }
        // A run's reads all but a tenth, kept for orders and fill checks.
        assertThatThrownBy(() -> one.acquire(Purpose.READ)).isInstanceOf(InterruptedException.class);
        other.acquire(Purpose.ORDER);
        assertThatThrownBy(() -> one.acquire(Purpose.FILL_CHECK)).isInstanceOf(InterruptedException.class);
        // The minute is full: the wait is until its oldest second has left it, about a minute from now.
        assertThat(waits).last().satisfies(wait -> assertThat(wait).isPositive()
                .isLessThanOrEqualTo(Duration.ofSeconds(1)));

        // Alpaca's "wait until" reaches every replica.
        String paused = "paused-" + java.util.UUID.randomUUID();
        RequestBudget pausing = new SharedRequestBudget(otherReplicasDatabase(), paused, 10, Duration.ofSeconds(5),
                refuseToWait);
        RequestBudget told = new SharedRequestBudget(otherReplicasDatabase(), paused, 10, Duration.ofSeconds(5),
                refuseToWait);
        told.acquire(Purpose.ORDER);
        pausing.pauseUntil(Instant.now().plusSeconds(30));
        waits.clear();
        assertThatThrownBy(() -> told.acquire(Purpose.ORDER)).isInstanceOf(InterruptedException.class);
        assertThat(waits).singleElement().satisfies(wait -> assertThat(wait).isGreaterThan(Duration.ofMillis(500)));
    }

    @Test
    void without_its_database_the_budget_sends_nothing_and_says_alpaca_cannot_be_asked() {
        PGSimpleDataSource gone = new PGSimpleDataSource();
        gone.setUrl("jdbc:postgresql://127.0.0.1:1/executor?connectTimeout=1");
        RequestBudget budget = new SharedRequestBudget(gone, "budget-gone", 10, Duration.ofMillis(300),
                wait -> Thread.sleep(wait.toMillis()));
        AlpacaClient client = new AlpacaClient(new AlpacaEndpoint(simulator, KEY, Harness.SECRET),
                AlpacaClientOptions.defaults().withBackoff(Duration.ofMillis(10), Duration.ofMillis(20)), budget);

        assertThatThrownBy(client::clock).isInstanceOfSatisfying(AlpacaException.class,
                e -> assertThat(e.outcomeUnknown()).isTrue())
                .hasMessageContaining("the request budget's database could not be asked");
        assertThat(client.requestsSent()).isZero();
    }
}
