package dev.rebalancer.portfolio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebalancer.portfolio.messaging.Instances;
import dev.rebalancer.runtime.Membership;
import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Instances of portfolio-service on one database (runtime Membership): the accounts divided among them, the oldest
 * leading, a new one taking its share within a heartbeat, a lost one's share and leadership taken over after the
 * expiry and never held by two at once, one that stops in order handing over at once.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
class InstancesTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(100);
    private static final Duration EXPIRY = Duration.ofSeconds(1);
    private static final List<String> ACCOUNTS = IntStream.range(0, 200).mapToObj(i -> UUID.randomUUID().toString())
            .toList();

    @Inject
    AgroalDataSource dataSource;
    @Inject
    Instances instances;

    @Test
    void the_service_alone_leads_and_polls_its_account() {
        assertThat(instances.leader()).isTrue();
        assertThat(instances.owns(Accounts.simAccountId())).isTrue();
    }

    @Test
    void accounts_are_divided_the_oldest_leads_and_a_newcomer_takes_only_its_share() {
        String service = "test-" + UUID.randomUUID();
        try (Membership a = member(dataSource, service); Membership b = member(dataSource, service)) {
            awaitMembers(2, a, b);
            assertThat(a.leader()).isTrue();
            assertThat(b.leader()).isFalse();
            Map<String, Membership> before = owners(a, b);
            assertThat(before.values().stream().filter(m -> m == a)).hasSizeBetween(60, 140);

            try (Membership c = member(dataSource, service)) {
                // Within a few heartbeats every member sees the newcomer.
                Awaitility.await().atMost(HEARTBEAT.multipliedBy(10)).until(() -> a.members().size() == 3
                        && b.members().size() == 3 && c.members().size() == 3);
                Map<String, Membership> after = owners(a, b, c);
                assertThat(a.leader()).isTrue();
                assertThat(after.values().stream().filter(m -> m == c)).hasSizeBetween(30, 110);
                // An account changes hands only to the newcomer.
                ACCOUNTS.stream().filter(key -> after.get(key) != before.get(key))
                        .forEach(key -> assertThat(after.get(key)).isSameAs(c));
            }
        }
    }

    @Test
    void a_lost_instance_is_taken_over_after_the_expiry_and_never_leads_beside_its_successor() {
        String service = "test-" + UUID.randomUUID();
        CuttableDataSource aDatabase = new CuttableDataSource(dataSource);
        try (Membership a = member(aDatabase, service); Membership b = member(dataSource, service)) {
            awaitMembers(2, a, b);
            assertThat(a.leader()).isTrue();

            aDatabase.cut.set(true); // the process frozen or cut off: its row is no longer renewed
            long cutAt = System.nanoTime();
            AtomicBoolean twoLeaders = new AtomicBoolean();
            AtomicBoolean twoOwners = new AtomicBoolean();
            Awaitility.await().atMost(EXPIRY.multipliedBy(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
                twoLeaders.compareAndSet(false, a.leader() && b.leader());
                twoOwners.compareAndSet(false, ACCOUNTS.stream().anyMatch(key -> a.owns(key) && b.owns(key)));
                return b.leader() && ACCOUNTS.stream().allMatch(b::owns);
            });
            Duration takenOverAfter = Duration.ofNanos(System.nanoTime() - cutAt);
            assertThat(twoLeaders).as("both led at one moment").isFalse();
            assertThat(twoOwners).as("an account owned by both at one moment").isFalse();
            assertThat(takenOverAfter).isGreaterThanOrEqualTo(EXPIRY.minus(HEARTBEAT));
            assertThat(a.leader()).isFalse();
            assertThat(ACCOUNTS).noneMatch(a::owns);

            aDatabase.cut.set(false); // back: it joins again as the youngest
            awaitMembers(2, a, b);
            assertThat(b.leader()).isTrue();
            assertThat(a.leader()).isFalse();
            assertThat(ACCOUNTS.stream().filter(a::owns)).isNotEmpty();
        }
    }

    @Test
    void an_instance_that_stops_in_order_hands_over_at_once() {
        String service = "test-" + UUID.randomUUID();
        try (Membership a = member(dataSource, service)) {
            Membership b = member(dataSource, service);
            awaitMembers(2, a, b);
            b.close();
            // Far sooner than the expiry that a lost instance's share waits for.
            Awaitility.await().atMost(EXPIRY.dividedBy(2)).until(() -> ACCOUNTS.stream().allMatch(a::owns));
            assertThat(b.members()).isEmpty();
            assertThat(ACCOUNTS).noneMatch(b::owns);
        }
    }

    private static Membership member(DataSource dataSource, String service) {
        return new Membership(dataSource, service, HEARTBEAT, EXPIRY).start();
    }

    private static void awaitMembers(int count, Membership... members) {
        Awaitility.await().atMost(EXPIRY.multipliedBy(5)).until(() -> java.util.Arrays.stream(members)
                .allMatch(m -> m.members().size() == count));
    }

    /** Each account's owner; exactly one of the members owns each. */
    private static Map<String, Membership> owners(Membership... members) {
        return ACCOUNTS.stream().collect(Collectors.toMap(Function.identity(), key -> {
            List<Membership> owning = java.util.Arrays.stream(members).filter(m -> m.owns(key)).toList();
            assertThat(owning).as("owners of " + key).hasSize(1);
            return owning.get(0);
        }));
    }

    /** A database that can be made unreachable for one member only. */
    private static final class CuttableDataSource implements DataSource {
        final AtomicBoolean cut = new AtomicBoolean();
        private final DataSource delegate;

        CuttableDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws SQLException {
            if (cut.get()) {
                throw new SQLException("connection refused (cut by the test)");
            }
            return delegate.getConnection();
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return delegate.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            delegate.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            delegate.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return delegate.getLoginTimeout();
        }

        @Override
        public java.util.logging.Logger getParentLogger() {
            return java.util.logging.Logger.getGlobal();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            return delegate.unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) throws SQLException {
            return delegate.isWrapperFor(type);
        }
    }
}
