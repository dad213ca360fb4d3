package dev.rebalancer.local;

import dev.rebalancer.testing.infra.KafkaBroker;
import dev.rebalancer.testing.infra.KafkaProcess;
import dev.rebalancer.testing.infra.PostgresProcess;
import dev.rebalancer.testing.infra.PostgresServer;
import java.util.Map;

/**
 * Where a {@link LocalStack}'s Kafka and PostgreSQL come from: inside the launcher's JVM (the local stack, the tests
 * and the benchmarks), or as processes of their own that can be killed and started again in place (the soak).
 */
public interface Infrastructure {

    /** The broker's address; the system's topics exist once this returns. */
    String kafka();

    /** What a service needs beyond the broker's address to reach it (SASL settings, if the broker requires them). */
    Map<String, String> kafkaClientEnv();

    /** A JDBC URL of the named database, created if it does not exist yet; logins as {@link PostgresServer#USERNAME}. */
    String jdbcUrl(String database);

    /** The named database dropped and created again, for a stack that starts from nothing. */
    void emptyDatabase(String database);

    /** Kafka and PostgreSQL inside this JVM, started on first use and stopped when it exits. */
    static Infrastructure inThisJvm() {
        return new Infrastructure() {
            @Override
            public String kafka() {
                String servers = KafkaBroker.bootstrapServers();
                KafkaBroker.createSystemTopics();
                return servers;
            }

            @Override
            public Map<String, String> kafkaClientEnv() {
                return KafkaBroker.clientEnv();
            }

            @Override
            public String jdbcUrl(String database) {
                return PostgresServer.jdbcUrl(database);
            }

            @Override
            public void emptyDatabase(String database) {
                PostgresServer.emptyDatabase(database);
            }
        };
    }

    /** A broker and a database server running as processes of their own (started by their owner). */
    static Infrastructure of(KafkaProcess kafka, PostgresProcess postgres) {
        return new Infrastructure() {
            @Override
            public String kafka() {
                KafkaBroker.createSystemTopics(kafka.bootstrapServers());
                return kafka.bootstrapServers();
            }

            @Override
            public Map<String, String> kafkaClientEnv() {
                return Map.of();
            }

            @Override
            public String jdbcUrl(String database) {
                return postgres.jdbcUrl(database);
            }

            @Override
            public void emptyDatabase(String database) {
                postgres.emptyDatabase(database);
            }
        };
    }
}
