package dev.rebalancer.local;

import dev.rebalancer.sim.AlpacaSimServer;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.Directories;
import dev.rebalancer.testing.infra.KafkaBroker;
import dev.rebalancer.testing.infra.PostgresServer;
import dev.rebalancer.testing.infra.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The whole system on one machine: a real Kafka broker (KRaft) and a real PostgreSQL inside this JVM, the Alpaca
 * paper-broker simulator (or real Alpaca paper when {@code ALPACA_API_KEY_ID} and {@code ALPACA_API_SECRET_KEY} are
 * set), and the four services as processes of their own, each from its module's jar, bound to 127.0.0.1. A service
 * that dies is started again on the same port, as a container's restart policy would. Configured entirely through
 * environment variables (see {@link Settings}); {@code deploy/local/run.sh} runs it, and the end-to-end suite starts
 * it in its own JVM.
 */
public final class LocalStack implements AutoCloseable {

    /** The services, in the order they are listed. */
    public static final List<String> SERVICES = List.of("portfolio-service", "drift-monitor", "order-executor",
            "notifier");

    /** The simulator's account: its keys and starting cash. */
    public static final String SIM_KEY = "sim-key";
    public static final String SIM_SECRET = "sim-secret";
    public static final String SIM_CASH = "10000";

    /** A small ETF universe, priced at the simulator at start. */
    public static final Map<String, String> PRICES = prices();

    private static final Duration READY_WITHIN = Duration.ofSeconds(120);
    /** Each service with a database has one of its own. */
    private static final Map<String, String> DATABASES = Map.of("portfolio-service", "portfolio", "order-executor",
            "executor", "notifier", "notifier");
    private static final Pattern EXTRA_ACCOUNT_KEY = Pattern.compile("REBALANCER_ACCOUNTS__([A-Z0-9_]+?)__API_KEY_ID");

    private final Settings settings;
    private final Infrastructure infrastructure;
    private final Map<String, String> serviceEnv;
    private final AlpacaSimServer simulator;
    /** The simulator's accounts by API key. */
    private final Map<String, SimAccount> simAccounts;
    private final Map<String, ServiceProcess> services = new ConcurrentHashMap<>();
    /** Further instances of a service ({@link #startInstance}): not restarted when they die. */
    private final List<ServiceProcess> extraInstances = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Instances started so far, the first of each service counted as one: the next one's log directory is named after it. */
    private final java.util.concurrent.atomic.AtomicInteger instances = new java.util.concurrent.atomic.AtomicInteger(1);
    private final Map<String, Map<String, String>> overrides = new ConcurrentHashMap<>();
    private final ScheduledExecutorService supervisor = Executors.newSingleThreadScheduledExecutor(
            r -> new Thread(r, "local-stack-supervisor"));
    private volatile boolean stopping;

    private LocalStack(Settings settings, Infrastructure infrastructure, Map<String, String> serviceEnv,
            AlpacaSimServer simulator, Map<String, SimAccount> simAccounts) {
        this.settings = settings;
        this.infrastructure = infrastructure;
        this.serviceEnv = serviceEnv;
        this.simulator = simulator;
        this.simAccounts = simAccounts;
    }

    /**
     * The stack's settings, read from environment variables; anything else in them reaches the services too
     * ({@code DRIFT_*}, {@code RESERVE_BASIS_POINTS}, {@code REBALANCER_ACCOUNTS__<NAME>__*}, ...).
     *
     * <ul>
     * <li>{@code PORTFOLIO_SERVICE_PORT} 8080, {@code DRIFT_MONITOR_PORT} 8081, {@code ORDER_EXECUTOR_PORT} 8082,
     * {@code NOTIFIER_PORT} 8083, {@code ALPACA_SIM_PORT} 8090 ({@code 0}: any free port)</li>
     * <li>{@code REBALANCER_API_KEY} / {@code REBALANCER_API_SECRET}: the API's credentials, {@code local-key} /
     * {@code local-secret} when unset</li>
     * <li>{@code ALPACA_API_KEY_ID} / {@code ALPACA_API_SECRET_KEY} (and {@code ALPACA_BASE_URL}, Alpaca paper when
     * unset): trade on that account instead of the simulator</li>
     * <li>{@code REBALANCER_LOCAL_DIR}: where logs, state and {@code stack.properties} go ({@code target/local})</li>
     * </ul>
     */
    public record Settings(Map<String, String> env) {

        public static final String DEFAULT_API_KEY = "local-key";
        public static final String DEFAULT_API_SECRET = "local-secret";
        static final Map<String, Integer> DEFAULT_PORTS = Map.of("portfolio-service", 8080, "drift-monitor", 8081,
                "order-executor", 8082, "notifier", 8083, "alpaca-sim", 8090);

        public Settings {
            env = Map.copyOf(env);
        }

        public static Settings fromEnvironment() {
            return new Settings(System.getenv());
        }

        /** The variable that moves a component's port: {@code PORTFOLIO_SERVICE_PORT}, {@code ALPACA_SIM_PORT}, ... */
        public static String portVariable(String component) {
            return component.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_PORT";
        }

        /** Every port variable set to {@code 0}: a stack beside another one, as tests and benchmarks start it. */
        public static Map<String, String> anyFreePorts() {
            Map<String, String> ports = new HashMap<>();
            DEFAULT_PORTS.keySet().forEach(component -> ports.put(portVariable(component), "0"));
            return ports;
        }

        int port(String component) {
            String variable = portVariable(component);
            String value = value(variable);
            if (value == null) {
                return DEFAULT_PORTS.get(component);
            }
            try {
                int port = Integer.parseInt(value.trim());
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
                return port == 0 ? ServiceProcess.freePort() : port;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(variable + " must be a port number (0-65535), not '" + value + "'");
            }
        }

        public boolean simulated() {
            return value("ALPACA_API_KEY_ID") == null || value("ALPACA_API_SECRET_KEY") == null;
        }

        public String apiKey() {
            return valueOr("REBALANCER_API_KEY", DEFAULT_API_KEY);
        }

        public String apiSecret() {
            return valueOr("REBALANCER_API_SECRET", DEFAULT_API_SECRET);
        }

        public Path dir() {
            String dir = value("REBALANCER_LOCAL_DIR");
            return dir != null ? Path.of(dir).toAbsolutePath() : ServiceProcess.repositoryRoot().resolve("target/local");
        }

        /** A variable's value, or null when unset or blank. */
        String value(String name) {
            String value = env.get(name);
            return value == null || value.isBlank() ? null : value;
        }

        String valueOr(String name, String fallback) {
            String value = value(name);
            return value != null ? value : fallback;
        }
    }

    /** Starts everything and returns once every service answers ready; whatever started is stopped on failure. */
    public static LocalStack start(Settings settings) {
        return start(settings, Infrastructure.inThisJvm());
    }

    /** As {@link #start(Settings)}, on the given Kafka and PostgreSQL. */
    public static LocalStack start(Settings settings, Infrastructure infrastructure) {
        Path dir = settings.dir();
        prepare(dir);
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String component : Settings.DEFAULT_PORTS.keySet()) {
            ports.put(component, settings.port(component));
        }
        ports.forEach((component, port) -> requireFree(component, port, settings));

        String bootstrap = infrastructure.kafka();
        // A stack starts from empty databases, as from an empty directory: one started before it in this JVM (a
        // benchmark's previous size, another end-to-end class) leaves nothing behind.
        DATABASES.values().forEach(infrastructure::emptyDatabase);

        Map<String, String> env = new HashMap<>(settings.env());
        env.put("KAFKA_BOOTSTRAP_SERVERS", bootstrap);
        env.put("REBALANCER_TOPICS_PARTITIONS", Integer.toString(KafkaBroker.PARTITIONS)); // as the broker made them
        // A broker that requires SASL (a test's): the services log in as its user, unless told otherwise.
        infrastructure.kafkaClientEnv().forEach(env::putIfAbsent);
        env.put("DB_USERNAME", PostgresServer.USERNAME);
        env.put("DB_PASSWORD", PostgresServer.PASSWORD);
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("REBALANCER_API_KEY", settings.apiKey());
        env.put("REBALANCER_API_SECRET", settings.apiSecret());
        env.put("DRIFT_STATE_DIR", dir.resolve("drift-state").toString());
        // The notifier's console and weekly report read portfolio-service's API.
        env.put("PORTFOLIO_URL", "http://127.0.0.1:" + ports.get("portfolio-service"));
        // A run that succeeds is worth a message on a machine someone is watching; the services' default is problems.
        env.putIfAbsent("NOTIFY_RUNS", "all");

        AlpacaSimServer simulator = null;
        Map<String, SimAccount> simAccounts = new LinkedHashMap<>();
        if (settings.simulated()) {
            simulator = AlpacaSimServer.start(ports.get("alpaca-sim"));
            SimAdminClient admin = simulator.admin();
            admin.prices(PRICES);
            String base = simulator.baseUrl().toString();
            env.put("ALPACA_API_KEY_ID", SIM_KEY);
            env.put("ALPACA_API_SECRET_KEY", SIM_SECRET);
            env.put("ALPACA_BASE_URL", base);
            simAccounts.put(SIM_KEY, new SimAccount(admin.createAccount(SIM_KEY, SIM_SECRET, SIM_CASH).get("id").asText(),
                    SIM_SECRET));
            for (Map.Entry<String, String> extra : extraAccounts(settings).entrySet()) {
                String prefix = "REBALANCER_ACCOUNTS__" + extra.getKey() + "__";
                String key = extra.getValue();
                String secret = settings.valueOr(prefix + "API_SECRET_KEY", key + "-secret");
                env.put(prefix + "API_SECRET_KEY", secret);
                env.put(prefix + "BASE_URL", base);
                simAccounts.put(key, new SimAccount(admin.createAccount(key, secret, SIM_CASH).get("id").asText(),
                        secret));
            }
            // Cash is found by polling Alpaca's activities: one request a poll, 120 of the 200 a minute per account.
            env.putIfAbsent("DEPOSITS_INTERVAL", "0.5s");
        }

        Map<String, String> common = Map.copyOf(env);
        LocalStack stack = new LocalStack(settings, infrastructure, common, simulator, simAccounts);
        try {
            List<CompletableFuture<Void>> starting = new ArrayList<>();
            for (String service : SERVICES) {
                int port = ports.get(service);
                starting.add(CompletableFuture.runAsync(() -> stack.launch(service, port)));
            }
            CompletableFuture.allOf(starting.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            stack.close();
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        stack.supervisor.scheduleWithFixedDelay(stack::restartTheDead, 1, 1, TimeUnit.SECONDS);
        stack.writeProperties(bootstrap);
        return stack;
    }

    private static void requireFree(String component, int port, Settings settings) {
        if (component.equals("alpaca-sim") && !settings.simulated()) {
            return;
        }
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            socket.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        } catch (IOException e) {
            throw new IllegalArgumentException("port " + port + " for " + component + " is taken; set "
                    + Settings.portVariable(component) + " to another (0: any free port)");
        }
    }

    /** Extra accounts configured as {@code REBALANCER_ACCOUNTS__<NAME>__API_KEY_ID}: name to key. */
    private static Map<String, String> extraAccounts(Settings settings) {
        Map<String, String> accounts = new LinkedHashMap<>();
        settings.env().keySet().stream().sorted().forEach(name -> {
            Matcher matcher = EXTRA_ACCOUNT_KEY.matcher(name);
            if (matcher.matches() && settings.value(name) != null) {
                accounts.put(matcher.group(1), settings.value(name));
            }
        });
        return accounts;
    }

    private static void prepare(Path dir) {
        try {
            Files.createDirectories(Directories.empty(dir).resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not prepare " + dir, e);
        }
    }

    private void launch(String service, int port) {
        ServiceProcess before = services.get(service);
        // Health and metrics on a port of their own (the management interface), kept across restarts.
        services.put(service, process(service, port, before != null ? before.managementUrl().getPort()
                : ServiceProcess.freePort(), settings.dir().resolve("logs")));
    }

    /**
     * Starts one more instance of a service, as scaling a Deployment out would: same settings and database, ports of
     * its own. It is stopped with the stack but not started again when it dies (a test kills it).
     */
    public ServiceProcess startInstance(String service) {
        return startInstance(service, Map.of());
    }

    /**
     * As {@link #startInstance(String)}, with these variables added (a drift monitor's own state directory). Several
     * start at once when called at once.
     */
    public ServiceProcess startInstance(String service, Map<String, String> env) {
        if (!SERVICES.contains(service)) {
            throw new IllegalArgumentException("no such service: " + service);
        }
        ServiceProcess process = process(service, ServiceProcess.freePort(), ServiceProcess.freePort(),
                settings.dir().resolve("logs").resolve("instance-" + instances.incrementAndGet()), env);
        synchronized (this) {
            extraInstances.add(process);
        }
        return process;
    }

    private ServiceProcess process(String service, int port, int managementPort, Path logs) {
        return process(service, port, managementPort, logs, Map.of());
    }

    private ServiceProcess process(String service, int port, int managementPort, Path logs, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(serviceEnv);
        String database = DATABASES.get(service);
        if (database != null) {
            env.put("DB_URL", infrastructure.jdbcUrl(database));
        } else {
            env.remove("DB_URL");
        }
        env.putAll(overrides.getOrDefault(service, Map.of()));
        env.putAll(extra);
        env.put("MANAGEMENT_PORT", Integer.toString(managementPort));
        return ServiceProcess.start(service, port, env, Map.of(), READY_WITHIN, logs);
    }

    /** The supervisor's round: a service that exited is started again, on its port. */
    private synchronized void restartTheDead() {
        for (String service : SERVICES) {
            ServiceProcess process = services.get(service);
            if (stopping || process == null || process.isAlive()) {
                continue;
            }
            System.out.printf("[local-stack] %s stopped; starting it again on port %d%n", service, process.port());
            try {
                launch(service, process.port());
            } catch (RuntimeException e) {
                System.out.printf("[local-stack] %s did not start again (next try in a second): %s%n", service,
                        e.getMessage());
            }
        }
    }

    /** Stops a service and starts it again with these variables added (for as long as the stack runs). */
    public synchronized void restart(String service, Map<String, String> env) {
        ServiceProcess process = service(service);
        process.close();
        overrides.put(service, Map.copyOf(env));
        launch(service, process.port());
    }

    /** The service's current process (a new one after a restart). */
    public ServiceProcess service(String service) {
        ServiceProcess process = services.get(service);
        if (process == null) {
            throw new IllegalArgumentException("no such service: " + service);
        }
        return process;
    }

    public Settings settings() {
        return settings;
    }

    public String bootstrapServers() {
        return serviceEnv.get("KAFKA_BOOTSTRAP_SERVERS");
    }

    /** The Alpaca base URL the services use: the simulator's, or Alpaca's. */
    public URI alpacaBaseUrl() {
        return URI.create(settings.simulated() ? simulator.baseUrl().toString()
                : settings.valueOr("ALPACA_BASE_URL", "https://paper-api.alpaca.markets"));
    }

    /** The simulator's admin API; only with the simulator. */
    public SimAdminClient simulator() {
        if (simulator == null) {
            throw new IllegalStateException("the stack trades on real Alpaca paper, not the simulator");
        }
        return simulator.admin();
    }

    /** The simulator's account id for an API key ({@link #SIM_KEY} or an extra account's key). */
    public String simAccount(String apiKey) {
        return simAccountOf(apiKey).id();
    }

    /** A simulator account's Trading API, called with its keys, as the account's owner would. */
    public Http alpaca(String apiKey) {
        SimAccount account = simAccountOf(apiKey);
        return Http.alpaca(simulator.baseUrl(), apiKey, account.secret());
    }

    private SimAccount simAccountOf(String apiKey) {
        SimAccount account = simAccounts.get(apiKey);
        if (account == null) {
            throw new IllegalArgumentException("no simulator account with key " + apiKey);
        }
        return account;
    }

    private record SimAccount(String id, String secret) {
    }

    private void writeProperties(String bootstrap) {
        Properties properties = new Properties();
        for (String service : SERVICES) {
            properties.setProperty(service + ".url", service(service).baseUrl().toString());
            properties.setProperty(service + ".log", service(service).log().toString());
            properties.setProperty(service + ".management-url", service(service).managementUrl().toString());
        }
        properties.setProperty("api.key", settings.apiKey());
        properties.setProperty("api.secret", settings.apiSecret());
        properties.setProperty("kafka.bootstrap-servers", bootstrap);
        properties.setProperty("postgres.url", infrastructure.jdbcUrl("postgres"));
        properties.setProperty("alpaca.base-url", alpacaBaseUrl().toString());
        properties.setProperty("alpaca.simulated", Boolean.toString(settings.simulated()));
        properties.setProperty("telegram", Boolean.toString(settings.value("TELEGRAM_BOT_TOKEN") != null));
        if (simulator != null) {
            properties.setProperty("sim.account", simAccount(SIM_KEY));
        }
        // It holds the API's secret: readable by its owner only, from the moment it exists.
        Path file = propertiesFile(settings.dir());
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (Writer writer = Files.newBufferedWriter(file)) {
            properties.store(writer, "the running local stack (deploy/local/run.sh); removed when it stops");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where a running stack describes itself, for {@code run.sh demo}. */
    public static Path propertiesFile(Path dir) {
        return dir.resolve("stack.properties");
    }

    /** What the user needs to know, as printed when the stack is up. */
    public String summary() {
        StringBuilder out = new StringBuilder();
        out.append("Rebalancer is running").append(settings.simulated() ? " against the Alpaca paper-broker simulator"
                : " against Alpaca at " + alpacaBaseUrl()).append(".\n\n");
        for (String service : SERVICES) {
            out.append(String.format("  %-18s %s  (health and metrics: %s/q/health, /q/metrics)%n", service,
                    service(service).baseUrl(), service(service).managementUrl()));
        }
        if (simulator != null) {
            out.append(String.format("  %-18s %s  (admin API under /sim)%n", "alpaca simulator", simulator.baseUrl()));
            out.append(String.format("  %-18s %s  key %s, secret %s, $10,000.00 cash, prices for %s%n",
                    "  account", simAccount(SIM_KEY), SIM_KEY, SIM_SECRET, String.join(" ", PRICES.keySet())));
        }
        out.append(String.format("  %-18s %s  (KRaft)%n", "kafka", bootstrapServers()));
        out.append(String.format("  %-18s %s  (user %s)%n", "postgresql",
                infrastructure.jdbcUrl("postgres").replace("/postgres", "/{portfolio,executor,notifier}"),
                PostgresServer.USERNAME));
        out.append(String.format("  %-18s %s%n", "logs", settings.dir().resolve("logs")));
        out.append(String.format("  %-18s %s%n%n", "telegram", settings.value("TELEGRAM_BOT_TOKEN") != null
                ? "messages go to chat " + settings.valueOr("TELEGRAM_CHAT_ID", "(TELEGRAM_CHAT_ID unset!)")
                : "no TELEGRAM_BOT_TOKEN: notifications are written to the notifier's log"));
        out.append("API credentials (HTTP Basic on ").append(service("portfolio-service").baseUrl()).append("):\n");
        out.append("  REBALANCER_API_KEY=").append(settings.apiKey()).append('\n');
        out.append("  REBALANCER_API_SECRET=").append(settings.apiSecret()).append("\n\n");
        out.append("See money move: deploy/local/run.sh demo      Stop: Ctrl-C\n");
        return out.toString();
    }

    /** Stops the services (SIGTERM, all at once) and the simulator; Kafka and PostgreSQL stop when the JVM exits. */
    @Override
    public void close() {
        stopping = true;
        supervisor.shutdownNow();
        synchronized (this) {
            CompletableFuture.allOf(Stream.concat(services.values().stream(), extraInstances.stream())
                    .map(process -> CompletableFuture.runAsync(process::close))
                    .toArray(CompletableFuture[]::new)).join();
        }
        if (simulator != null) {
            simulator.close();
        }
        try {
            Files.deleteIfExists(propertiesFile(settings.dir()));
        } catch (IOException e) {
            // Nothing depends on it once the services are gone.
        }
    }

    private static Map<String, String> prices() {
        Map<String, String> prices = new LinkedHashMap<>();
        prices.put("SPY", "590.00");
        prices.put("QQQ", "510.00");
        prices.put("TLT", "88.00");
        prices.put("GLD", "245.00");
        prices.put("VWO", "45.00");
        prices.put("BIL", "91.50");
        prices.put("VOO", "540.00");
        prices.put("VTI", "290.00");
        prices.put("BND", "72.50");
        prices.put("IEMG", "55.00");
        return java.util.Collections.unmodifiableMap(prices);
    }
}
