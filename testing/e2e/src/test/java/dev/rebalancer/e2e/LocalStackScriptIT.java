package dev.rebalancer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rebalancer.local.LocalStack;
import dev.rebalancer.testing.infra.ServiceProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, as a user runs it: {@code deploy/local/run.sh} brings the stack up and says where
 * everything is, {@code run.sh demo} shows a deposit invested, and SIGTERM leaves no process and no listening port
 * behind. (The jars are the ones this build just made: {@code REBALANCER_NO_BUILD=1}.)
 */
class LocalStackScriptIT {

    static final Path ROOT = ServiceProcess.repositoryRoot();
    static final Path DIR = Path.of("target/run-sh").toAbsolutePath();

    @Test
    void run_sh_starts_everything_on_loopback_the_demo_invests_a_deposit_and_sigterm_leaves_nothing_behind()
            throws Exception {
        Process stack = runSh();
        Output out = Output.of(stack);
        try {
            await().atMost(Duration.ofMinutes(3)).until(() -> out.text().contains("See money move")
                    || !stack.isAlive());
            assertThat(out.text()).contains("Rebalancer is running against the Alpaca paper-broker simulator",
                    "REBALANCER_API_KEY=local-key", "REBALANCER_API_SECRET=local-secret",
                    "key sim-key, secret sim-secret, $10,000.00 cash",
                    "prices for SPY QQQ TLT GLD VWO BIL VOO VTI BND IEMG");
            Properties running = properties();
            Set<Integer> ports = new TreeSet<>();
            for (String service : List.of("portfolio-service", "drift-monitor", "order-executor", "notifier")) {
                assertThat(out.text()).contains(running.getProperty(service + ".url"));
                ports.add(Integer.parseInt(running.getProperty(service + ".url").replaceAll(".*:", "")));
            }
            ports.add(Integer.parseInt(running.getProperty("alpaca.base-url").replaceAll(".*:", "")));
            Map<Integer, Set<String>> listening = listening();
            for (int port : ports) {
                assertThat(listening.get(port)).as("addresses port %d listens on", port).containsOnly("127.0.0.1");
            }
            List<ProcessHandle> family = new ArrayList<>(stack.descendants().toList());
            family.add(stack.toHandle());
            family.addAll(postgres(running.getProperty("postgres.url").replaceAll(".*:(\\d+)/.*", "$1")));
            assertThat(family).hasSizeGreaterThanOrEqualTo(6); // run.sh's JVM, four services, PostgreSQL

            Process demo = runSh("demo");
            Output shown = Output.of(demo);
            assertThat(demo.waitFor(3, TimeUnit.MINUTES)).as("the demo ends").isTrue();
            assertThat(demo.exitValue()).as(shown.all()).isZero();
            assertThat(shown.all()).contains("POST /v1/rebalancing/portfolios", "POST /v1/rebalancing/subscriptions",
                    "deposited $1000 at the simulator", "← rebalancer.cash-deposits.v1: CSD of $1000",
                    "invest_cash run", "COMPLETED_SUCCESS", "buy SPY", "buy TLT",
                    "notification (no TELEGRAM_BOT_TOKEN", "\"title\":\"Run COMPLETED_SUCCESS: invest_cash\"");

            stack.destroy(); // SIGTERM
            assertThat(stack.waitFor(60, TimeUnit.SECONDS)).as("the stack stops within a minute").isTrue();
            assertThat(stack.exitValue()).isZero();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(family).noneMatch(ProcessHandle::isAlive);
                assertThat(listening().keySet()).doesNotContainAnyElementsOf(ports);
            });
            assertThat(Files.exists(DIR.resolve("stack.properties"))).isFalse();
        } finally {
            stack.descendants().forEach(ProcessHandle::destroyForcibly);
            stack.destroyForcibly();
        }
    }

    private static Process runSh(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("deploy/local/run.sh").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("TELEGRAM_") || name.startsWith("ALPACA_API_")
                || name.startsWith("REBALANCER_"));
        env.putAll(LocalStack.Settings.anyFreePorts());
        env.put("REBALANCER_LOCAL_DIR", DIR.toString());
        env.put("REBALANCER_NO_BUILD", "1");
        return builder.start();
    }

    private static Properties properties() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(DIR.resolve("stack.properties"))) {
            properties.load(reader);
        }
        return properties;
    }

    /** The PostgreSQL server on this port (it runs detached from the JVM that started it). */
    private static List<ProcessHandle> postgres(String port) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(line -> line.contains("bin/postgres ") && line.contains(" -p " + port + " ")).orElse(false))
                .toList();
    }

    /** Listening TCP ports of this machine and the addresses they listen on (from /proc/net/tcp and tcp6). */
    private static Map<Integer, Set<String>> listening() throws IOException {
        Map<Integer, Set<String>> ports = new java.util.HashMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try (Stream<String> lines = Files.lines(Path.of(table))) {
                lines.skip(1).map(String::trim).map(line -> line.split("\\s+"))
                        .filter(fields -> fields[3].equals("0A")) // LISTEN
                        .forEach(fields -> {
                            String[] local = fields[1].split(":");
                            ports.computeIfAbsent(Integer.parseInt(local[1], 16), p -> new TreeSet<>())
                                    .add(address(local[0]));
                        });
            }
        }
        return ports;
    }

    private static String address(String hex) {
        if (hex.length() == 8) { // IPv4, little-endian
            long value = Long.parseLong(hex, 16);
            return (value & 0xff) + "." + (value >> 8 & 0xff) + "." + (value >> 16 & 0xff) + "." + (value >> 24 & 0xff);
        }
        if (hex.startsWith("0000000000000000FFFF0000")) { // IPv4-mapped (::ffff:a.b.c.d)
            return address(hex.substring(24));
        }
        return hex.equals("00000000000000000000000000000000") ? "::" : "ipv6:" + hex;
    }

    /** A process's output, collected as it comes. */
    record Output(StringBuffer buffer, Thread[] reader) {
        static Output of(Process process) {
            Output output = new Output(new StringBuffer(), new Thread[1]);
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    lines.lines().forEach(line -> output.buffer.append(line).append('\n'));
                } catch (IOException | java.io.UncheckedIOException e) {
                    // The process ended.
                }
            }, "output-of-" + process.pid());
            reader.setDaemon(true);
            output.reader[0] = reader;
            reader.start();
            return output;
        }

        /** All of it, once the process has ended and its output is read to the end. */
        String all() throws InterruptedException {
            reader[0].join(Duration.ofSeconds(10).toMillis());
            return text();
        }

        String text() {
            return buffer.toString();
        }
    }
}
