package dev.rebalancer.testing.infra;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Hands a database of the embedded PostgreSQL server to a Quarkus test:
 * {@code @WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "..."))}.
 * The server is shared by every test of the JVM, so {@link #stop()} leaves it running.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    private String database = "rebalancer";

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.getOrDefault("database", database);
    }

    @Override
    public Map<String, String> start() {
        String url = PostgresServer.jdbcUrl(database);
        InfraLog.say("Quarkus test uses PostgreSQL database %s at %s", database, url);
        return Map.of(
                "quarkus.datasource.jdbc.url", url,
                "quarkus.datasource.username", PostgresServer.USERNAME,
                "quarkus.datasource.password", PostgresServer.PASSWORD);
    }

    @Override
    public void stop() {
        // The server is stopped when the JVM exits.
    }
}
