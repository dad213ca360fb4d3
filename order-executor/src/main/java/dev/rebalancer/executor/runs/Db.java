package dev.rebalancer.executor.runs;

import dev.rebalancer.runtime.Transactions;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The executor's database: each unit of work in one transaction, or a single statement auto-committed (statements:
 * {@link Transactions}' helpers).
 */
@ApplicationScoped
public class Db {

    private final javax.sql.DataSource dataSource;

    @jakarta.inject.Inject
    Db(AgroalDataSource dataSource) {
        this((javax.sql.DataSource) dataSource);
    }

    /** Over any data source (a test's own database). */
    Db(javax.sql.DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public <T> T inTransaction(Transactions.Work<T> work) {
        return Transactions.inTransaction(dataSource, work);
    }

    /** A unit of exactly one statement, auto-committed ({@link Transactions#oneStatement}). */
    public <T> T oneStatement(Transactions.Work<T> work) {
        return Transactions.oneStatement(dataSource, work);
    }
}
