package dev.rebalancer.testing.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A PostgreSQL server (the embedded binaries {@link PostgresServer} uses) on a persistent data directory and a fixed
 * port: it can be stopped (a fast shutdown), killed (SIGKILL to the postmaster and its backends, as a crash would) and
 * started again in place, keeping every committed transaction. Unlike {@link PostgresServer}, whose data directory is
 * deleted when it stops.
 *
 * <p>The directory holds {@code data/} (initialised once), {@code port} (picked the first time) and the server's output,
 * {@code postgres.log}. Commits are synchronous, as in production: the embedded default ({@code synchronous_commit =
 * off}) would lose the last commits of a killed server, which is exactly what a soak must not forgive. Fsync stays off
 * (a killed process loses nothing the kernel holds; only a lost machine would). Logins: {@link PostgresServer#USERNAME},
 * trust authentication on loopback.
 */
public final class PostgresProcess implements AutoCloseable {

    private static final Duration READY_WITHIN = Duration.ofSeconds(60);
    /** zonky's logger, which reports as an error the stop command it runs on a server already killed. */
    private static final Logger EMBEDDED_LOG = Logger.getLogger(EmbeddedPostgres.class.getName());

    private final Path dir;
    private final int port;
    private volatile EmbeddedPostgres server;

    private PostgresProcess(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopQuietly, "postgres-process-stop"));
    }

    /** The server of {@code dir}: its port picked the first time, as it was left otherwise. Not started: {@link #start()}. */
    public static PostgresProcess in(Path dir) {
        try {
            Files.createDirectories(dir);
            Path portFile = dir.resolve("port");
            if (!Files.exists(portFile)) {
                Files.writeString(portFile, Integer.toString(ServiceProcess.freePort()));
            }
            return new PostgresProcess(dir, Integer.parseInt(Files.readString(portFile).trim()));
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare PostgreSQL in " + dir, e);
        }
    }

    /**
     * Starts the server (initialising its data directory the first time) and waits until it answers; after a kill it
     * recovers from its write-ahead log first. Nothing happens when it runs already.
     */
    public synchronized PostgresProcess start() {
        if (server != null) {
            return this;
        }
        long started = System.nanoTime();
        ProcessBuilder.Redirect log = ProcessBuilder.Redirect.appendTo(dir.resolve("postgres.log").toFile());
        try {
            server = EmbeddedPostgres.builder()
                    .setDataDirectory(dir.resolve("data"))
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_connections", "300")
                    .setOutputRedirector(log)
                    .setErrorRedirector(log)
                    .setPGStartupWait(READY_WITHIN)
                    .setRegisterShutdownHook(false)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PostgreSQL in " + dir + "; see " + dir.resolve("postgres.log"), e);
        }
        InfraLog.say("PostgreSQL (process %d) started on port %d in %d ms (data: %s)", postmaster().orElse(-1L), port,
                (System.nanoTime() - started) / 1_000_000, dir.resolve("data"));
        return this;
    }

    /** Stops the server as an operator would ({@code pg_ctl stop -m fast}: sessions ended, a checkpoint written). */
    public synchronized void stop() {
        EmbeddedPostgres current = server;
        if (current == null) {
            return;
        }
        server = null;
        try {
            current.close();
        } catch (IOException e) {
            InfraLog.say("PostgreSQL did not stop cleanly: %s", e);
        }
    }

    /**
     * Ends the server at once, as a crash would: SIGKILL to the postmaster and every backend, no checkpoint. A restart
     * replays the write-ahead log.
     */
    public synchronized void kill() {
        EmbeddedPostgres current = server;
        if (current == null) {
            return;
        }
        server = null;
        Optional<ProcessHandle> postmaster = postmaster().flatMap(ProcessHandle::of);
        if (postmaster.isPresent()) {
            List<ProcessHandle> all = new java.util.ArrayList<>(postmaster.get().descendants().toList());
            all.add(postmaster.get());
            all.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle process : all) {
                try {
                    process.onExit().get(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException("PostgreSQL process " + process.pid() + " did not end when killed", e);
                }
            }
        }
        // The embedded server's own handle still holds the data directory's lock: closing it releases the lock (its
        // pg_ctl stop finds nothing to stop, which it would log as an error).
        Level level = EMBEDDED_LOG.getLevel();
        EMBEDDED_LOG.setLevel(Level.OFF);
        try {
            current.close();
        } catch (IOException e) {
            // nothing was running
        } finally {
            EMBEDDED_LOG.setLevel(level);
        }
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            // the JVM is ending
        }
    }

    /** The postmaster's process id, from its pid file, while the server runs. */
    public Optional<Long> postmaster() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("data/postmaster.pid"));
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    public boolean running() {
        return server != null;
    }

    public int port() {
        return port;
    }

    /** A JDBC URL of the named database, created if it does not exist yet. */
    public String jdbcUrl(String database) {
        return PostgresServer.jdbcUrl(port, database);
    }

    /** The named database dropped (its connections closed) and created again. */
    public String emptyDatabase(String database) {
        return PostgresServer.emptyDatabase(port, database);
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        stop();
    }
}
