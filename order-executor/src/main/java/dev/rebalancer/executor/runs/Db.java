package dev.rebalancer.executor.runs;

import dev.rebalancer.runtime.Transactions;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;

/** The executor's database: each unit of work in one transaction (statements: {@link Transactions}' helpers). */
@ApplicationScoped
public class Db {

    private final AgroalDataSource dataSource;

    Db(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    public <T> T inTransaction(Transactions.Work<T> work) {
        return Transactions.inTransaction(dataSource, work);
    }
}
