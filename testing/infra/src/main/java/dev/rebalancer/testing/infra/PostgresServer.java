package dev.rebalancer.testing.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * A real PostgreSQL server from embedded binaries, on a free port, started on first use, once per JVM, and stopped
 * when the JVM exits. Each service gets a database of its own, as it would in production.
 */
public final class PostgresServer {

    /** Logins use trust authentication on loopback; the password is there for clients that insist on one. */
    public static final String USERNAME = "postgres";
    public static final String PASSWORD = "postgres";

    /** Where the server's port is kept for the whole JVM, across the class loaders of restarted Quarkus apps. */
    static final String PORT_PROPERTY = "rebalancer-testing.postgres.port";

    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    private static EmbeddedPostgres server;

    private PostgresServer() {
    }

    /** A JDBC URL of the named database, creating the server and the database if they do not exist yet. */
    public static String jdbcUrl(String database) {
        synchronized (System.class) {
            return jdbcUrl(port(), database);
        }
    }

    /** A JDBC URL of the named database of the server on {@code port}, creating the database if it does not exist. */
    static String jdbcUrl(int port, String database) {
        name(database);
        try (Connection connection = DriverManager.getConnection(url(port, "postgres"), USERNAME, PASSWORD);
                Statement statement = connection.createStatement()) {
            try (ResultSet exists = statement.executeQuery(
                    "SELECT 1 FROM pg_database WHERE datname = '" + database + "'")) {
                if (!exists.next()) {
                    statement.execute("CREATE DATABASE " + database);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + database, e);
        }
        return url(port, database);
    }

    /** A plain (unpooled) data source of the named database, created if it does not exist yet. */
    public static javax.sql.DataSource dataSource(String database) {
        org.postgresql.ds.PGSimpleDataSource dataSource = new org.postgresql.ds.PGSimpleDataSource();
        dataSource.setUrl(jdbcUrl(database));
        dataSource.setUser(USERNAME);
        dataSource.setPassword(PASSWORD);
        return dataSource;
    }

    /** The named database emptied: dropped if it exists (connections to it closed) and created again. */
    public static String emptyDatabase(String database) {
        synchronized (System.class) {
            return emptyDatabase(port(), database);
        }
    }

    /** As {@link #emptyDatabase(String)}, on the server at {@code port}. */
    static String emptyDatabase(int port, String database) {
        asSuperuser(port, "DROP DATABASE IF EXISTS " + name(database) + " WITH (FORCE)");
        return jdbcUrl(port, database);
    }

    /**
     * Makes the database unreachable, as a failover or a network cut would: new connections are refused and every
     * open one is terminated, until {@link #reachable}. A service's connection pool sees exactly that.
     */
    public static void unreachable(String database) {
        asSuperuser("ALTER DATABASE " + name(database) + " ALLOW_CONNECTIONS false",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
    }

    /** The database takes connections again. */
    public static void reachable(String database) {
        asSuperuser("ALTER DATABASE " + name(database) + " ALLOW_CONNECTIONS true");
    }

    private static String name(String database) {
        if (!DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("not a plain database name: " + database);
        }
        return database;
    }

    private static void asSuperuser(String... statements) {
        asSuperuser(port(), statements);
    }

    private static void asSuperuser(int port, String... statements) {
        try (Connection connection = DriverManager.getConnection(url(port, "postgres"), USERNAME, PASSWORD);
                Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL refused: " + e.getMessage(), e);
        }
    }

    private static String url(int port, String database) {
        return "jdbc:postgresql://localhost:" + port + "/" + database;
    }

    private static int port() {
        String running = System.getProperty(PORT_PROPERTY);
        if (running != null) {
            return Integer.parseInt(running);
        }
        long started = System.nanoTime();
        try {
            server = EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new IllegalStateException("could not start the embedded PostgreSQL server", e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(PostgresServer::stop, "postgres-stop"));
        System.setProperty(PORT_PROPERTY, Integer.toString(server.getPort()));
        InfraLog.say("PostgreSQL %s started on port %d in %d ms", version(server), server.getPort(),
                (System.nanoTime() - started) / 1_000_000);
        return server.getPort();
    }

    private static String version(EmbeddedPostgres postgres) {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement();
                ResultSet version = statement.executeQuery("SHOW server_version")) {
            version.next();
            return version.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL started but does not answer", e);
        }
    }

    private static void stop() {
        try {
            server.close();
        } catch (IOException e) {
            InfraLog.say("PostgreSQL did not stop cleanly: %s", e);
        }
    }
}
