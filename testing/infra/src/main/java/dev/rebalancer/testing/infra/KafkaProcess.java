package dev.rebalancer.testing.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A single-node Kafka broker in KRaft mode (broker and controller combined) running as a process of its own, on a
 * persistent directory and fixed ports: it can be stopped (SIGTERM, a controlled shutdown), killed (SIGKILL, as a crash
 * or a lost machine would) and started again in place, keeping its topics, records, committed offsets and
 * transactions. Unlike {@link KafkaBroker}, which lives inside the test JVM and cannot be restarted.
 *
 * <p>The directory holds {@code server.properties} (written once, with the ports picked then: a second
 * {@code KafkaProcess} on the same directory is the same broker), the KRaft log directory {@code data/} (formatted once)
 * and the broker's output, {@code kafka.log}. The broker runs from this JVM's class path, where the test kit's
 * dependencies put Kafka's server.
 */
public final class KafkaProcess implements AutoCloseable {

    private static final Duration READY_WITHIN = Duration.ofSeconds(90);
    private static final Duration STOP_WITHIN = Duration.ofSeconds(30);

    private final Path dir;
    private final int port;
    private volatile Process process;

    private KafkaProcess(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        Runtime.getRuntime().addShutdownHook(new Thread(this::killQuietly, "kafka-process-reaper"));
    }

    /**
     * The broker of {@code dir}: configured (on free ports) and formatted the first time, as it was left otherwise.
     * Not started: {@link #start()}.
     */
    public static KafkaProcess in(Path dir) {
        try {
            Files.createDirectories(dir);
            Path config = dir.resolve("server.properties");
            if (!Files.exists(config)) {
                writeConfig(dir, config, ServiceProcess.freePort(), ServiceProcess.freePort());
            }
            Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(config)) {
                properties.load(in);
            }
            String advertised = properties.getProperty("advertised.listeners"); // PLAINTEXT://localhost:<port>
            int port = Integer.parseInt(advertised.substring(advertised.lastIndexOf(':') + 1));
            if (!Files.exists(dir.resolve("data/meta.properties"))) {
                format(dir, config);
            }
            return new KafkaProcess(dir, port);
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare the Kafka broker in " + dir, e);
        }
    }

    private static void writeConfig(Path dir, Path config, int port, int controllerPort) throws IOException {
        Properties properties = new Properties();
        properties.setProperty("process.roles", "broker,controller");
        properties.setProperty("node.id", "1");
        properties.setProperty("controller.quorum.voters", "1@localhost:" + controllerPort);
        properties.setProperty("listeners", "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
        properties.setProperty("advertised.listeners", "PLAINTEXT://localhost:" + port);
        properties.setProperty("controller.listener.names", "CONTROLLER");
        properties.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        properties.setProperty("inter.broker.listener.name", "PLAINTEXT");
        properties.setProperty("log.dirs", dir.resolve("data").toAbsolutePath().toString());
        KafkaBroker.SINGLE_NODE_CONFIG.forEach(properties::setProperty);
        try (OutputStream out = Files.newOutputStream(config)) {
            properties.store(out, "a single-node KRaft broker of the test infrastructure (KafkaProcess)");
        }
    }

    private static void format(Path dir, Path config) throws IOException {
        Process format = java(dir, "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c",
                config.toAbsolutePath().toString());
        try {
            if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
                format.destroyForcibly();
                throw new IllegalStateException("formatting the Kafka log directory failed; see " + log(dir));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            format.destroyForcibly();
            throw new IllegalStateException("interrupted while formatting the Kafka log directory", e);
        }
    }

    private static Process java(Path dir, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log(dir).toFile())).start();
    }

    private static Path log(Path dir) {
        return dir.resolve("kafka.log");
    }

    /** Starts the broker and waits until it answers; nothing happens when it runs already. */
    public synchronized KafkaProcess start() {
        if (running()) {
            return this;
        }
        long started = System.nanoTime();
        try {
            process = java(dir, "kafka.Kafka", dir.resolve("server.properties").toAbsolutePath().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the Kafka broker", e);
        }
        awaitReady();
        InfraLog.say("Kafka broker (KRaft, process %d) started at %s in %d ms (log: %s)", process.pid(),
                bootstrapServers(), (System.nanoTime() - started) / 1_000_000, log(dir));
        return this;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_WITHIN.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited with " + process.exitValue() + "; see "
                            + log(dir));
                }
                try {
                    if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() == 1) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    kill();
                    throw new IllegalStateException("the Kafka broker did not answer within " + READY_WITHIN.toSeconds()
                            + " s; see " + log(dir));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
        }
    }

    /** Stops the broker as an operator would (SIGTERM: a controlled shutdown), SIGKILL if it has not ended in 30 s. */
    public synchronized void stop() {
        Process current = process;
        if (current == null || !current.isAlive()) {
            return;
        }
        current.destroy();
        try {
            if (!current.waitFor(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
                InfraLog.say("Kafka broker did not stop within %d s: killed", STOP_WITHIN.toSeconds());
                current.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            current.destroyForcibly();
        }
    }

    /** Ends the broker at once (SIGKILL), as a crash would: what it had not flushed is recovered from its log. */
    public synchronized void kill() {
        Process current = process;
        if (current == null) {
            return;
        }
        current.destroyForcibly();
        try {
            current.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void killQuietly() {
        Process current = process;
        if (current != null) {
            current.destroyForcibly();
        }
    }

    public boolean running() {
        Process current = process;
        return current != null && current.isAlive();
    }

    /** The broker's process id while it runs. */
    public long pid() {
        return process.pid();
    }

    /** Where clients reach it: the same before and after a restart. */
    public String bootstrapServers() {
        return "localhost:" + port;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        stop();
    }
}
