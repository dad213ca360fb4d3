package dev.rebalancer.testing.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of the services running as a process of its own, from the jar its module built
 * ({@code <module>/target/quarkus-app/quarkus-run.jar}), configured through its environment as in production. Its
 * output goes to {@code target/services/<name>.log}. {@link #close()} stops it with SIGTERM (SIGKILL after 20 s);
 * {@link #kill()} stops it with SIGKILL, as a crash would. A JVM that exits takes its services with it.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final int managementPort;
    private final Path log;
    private final Process process;
    private final Thread reaper;

    private ServiceProcess(String name, int port, int managementPort, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.process = process;
        this.reaper = new Thread(process::destroyForcibly, name + "-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * Starts the module's service on {@code port} (0: a free one) with the given environment and system properties,
     * its management interface (health, metrics) on a free port or the environment's {@code MANAGEMENT_PORT}, and waits
     * until {@code /q/health/ready} answers 200 there.
     */
    public static ServiceProcess start(String module, int port, Map<String, String> env, Map<String, String> properties,
            Duration readyWithin) {
        return start(module, port, env, properties, readyWithin, repositoryRoot().resolve("target/services"));
    }

    /** As {@link #start(String, int, Map, Map, Duration)}, with the log in {@code logDir/<name>.log}. */
    public static ServiceProcess start(String module, int port, Map<String, String> env, Map<String, String> properties,
            Duration readyWithin, Path logDir) {
        Path root = repositoryRoot();
        Path jar = root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the module first (./mvnw -pl " + module
                    + " -am package -DskipTests)");
        }
        int httpPort = port == 0 ? freePort() : port;
        int managementPort = env.containsKey("MANAGEMENT_PORT") ? Integer.parseInt(env.get("MANAGEMENT_PORT"))
                : freePort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx384m");
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        command.add("-jar");
        command.add(jar.toString());
        String name = module.substring(module.lastIndexOf('/') + 1);
        Path log = logDir.resolve(name + ".log");
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            builder.environment().put("HTTP_PORT", Integer.toString(httpPort));
            builder.environment().put("MANAGEMENT_PORT", Integer.toString(managementPort));
            long started = System.nanoTime();
            ServiceProcess service = new ServiceProcess(name, httpPort, managementPort, log, builder.start());
            service.awaitReady(readyWithin);
            InfraLog.say("%s started as process %d on port %d in %d ms (log: %s)", name, service.process.pid(),
                    httpPort, (System.nanoTime() - started) / 1_000_000, log);
            return service;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** The management interface: {@code /q/health/*} and {@code /q/metrics}, no credentials. */
    public URI managementUrl() {
        return URI.create("http://127.0.0.1:" + managementPort);
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hooks, nothing cleaned up, as when the machine loses power. */
    public void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(20));
    }

    /** SIGTERM, then SIGKILL if it has not stopped within 20 s. */
    @Override
    public void close() {
        process.destroy();
        if (!waitFor(Duration.ofSeconds(20))) {
            process.destroyForcibly();
            waitFor(Duration.ofSeconds(10));
        }
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException e) {
            // The JVM is exiting already; the hook runs anyway.
        }
    }

    private boolean waitFor(Duration limit) {
        try {
            return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void awaitReady(Duration limit) {
        HttpRequest ready = HttpRequest.newBuilder(managementUrl().resolve("/q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " while starting:\n"
                        + tail());
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        throw new IllegalStateException(name + " was not ready within " + limit + ":\n" + tail());
    }

    /** The last lines of the service's log. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * A port nobody listens on right now, below the kernel's ephemeral range: a port the kernel handed out for
     * {@code bind(0)} lies in that range, where any outgoing connection (a Kafka client's, an HTTP client's) may take it
     * before the service binds it — which once failed a CI run with "port in use". Chosen at random, so that processes
     * choosing at once rarely try the same.
     */
    public static int freePort() {
        int ephemeralStart = ephemeralRangeStart();
        int low = Math.max(1024, Math.min(20_000, ephemeralStart - 8_000));
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; ephemeralStart - low > 100 && attempt < 200; attempt++) {
            int port = random.nextInt(low, ephemeralStart);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException taken) {
                // another one
            }
        }
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the kernel's ephemeral ports start (Linux: {@code ip_local_port_range}); 32768 when it cannot be read. */
    static int ephemeralRangeStart() {
        // Read as a stream: procfs reports a size of 0, and Files.readString here returned the first byte only.
        try (java.io.BufferedReader reader = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            String line = reader.readLine();
            int start = Integer.parseInt(line.trim().split("\\s+")[0]);
            return start >= 2048 && start <= 65_535 ? start : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    /** The checkout's root: the nearest directory up from here that holds the Maven wrapper. */
    public static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("not inside the checkout (no mvnw above " + Path.of("").toAbsolutePath()
                    + ")");
        }
        return dir;
    }
}
