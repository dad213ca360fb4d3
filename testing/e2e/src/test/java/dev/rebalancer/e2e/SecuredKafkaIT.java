package dev.rebalancer.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.local.Http;
import dev.rebalancer.local.LocalStack;
import dev.rebalancer.sim.SimAdminClient;
import dev.rebalancer.testing.infra.KafkaBroker;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The system on a Kafka whose only listeners require SASL, as a managed or Strimzi cluster has them: every service
 * logs in with the credentials of its environment ({@code KAFKA_SECURITY_PROTOCOL}, {@code KAFKA_SASL_MECHANISM},
 * {@code KAFKA_SASL_JAAS_CONFIG}), the deposit flow works end to end, and a wrong password stops a service at start
 * saying so. Kafka's test kit sets its JAAS configuration JVM-wide, so this class runs in a JVM of its own (failsafe
 * forks one per class).
 */
class SecuredKafkaIT {

    static LocalStack stack;
    static Http api;
    static SimAdminClient sim;

    @BeforeAll
    static void start() {
        System.setProperty(KafkaBroker.SECURITY_PROPERTY, "sasl");
        Map<String, String> env = new HashMap<>(LocalStack.Settings.anyFreePorts());
        env.put("REBALANCER_LOCAL_DIR", Path.of("target/sasl-stack").toAbsolutePath().toString());
        env.put("NOTIFY_RUNS", "problems");
        stack = LocalStack.start(new LocalStack.Settings(env));
        api = Http.api(stack.service("portfolio-service").baseUrl(), stack.settings().apiKey(),
                stack.settings().apiSecret());
        sim = stack.simulator();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void every_service_logs_in_and_a_deposit_is_invested() throws Exception {
        // The broker takes no client that does not log in.
        try (Admin anonymous = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.bootstrapServers(), AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
            assertThatThrownBy(() -> anonymous.describeCluster().clusterId().get(5, TimeUnit.SECONDS))
                    .isInstanceOfAny(ExecutionException.class, java.util.concurrent.TimeoutException.class);
        }
        for (String service : LocalStack.SERVICES) {
            assertThat(Files.readString(stack.service(service).log())).as(service + "'s log")
                    .contains("answers (SASL_PLAINTEXT PLAIN");
        }

        String account = stack.simAccount(LocalStack.SIM_KEY);
        await().atMost(Runs.WITHIN).until(() -> StreamSupport.stream(api.get("/v1/accounts").spliterator(), false)
                .anyMatch(a -> a.get("id").asText().equals(account)));
        api.subscribe(account, """
                {"name":"secured","weights":[{"type":"cash","percent":"5"},{"type":"asset","symbol":"SPY","percent":"60"},
                 {"type":"asset","symbol":"TLT","percent":"35"}],"cooldown_days":1,
                 "rebalance_conditions":[{"type":"drift_band","sub_type":"absolute","percent":"5"}]}""");
        Runs.awaitFinal(api, account, "full_rebalance", r -> true);

        sim.deposit(account, "1000");

        JsonNode run = Runs.awaitFinal(api, account, "invest_cash", r -> true);
        assertThat(run.get("status").asText()).isEqualTo("COMPLETED_SUCCESS");
        assertThat(new BigDecimal(run.get("amount").asText())).isEqualByComparingTo("1000");
        assertThat(run.get("orders")).isNotEmpty()
                .allSatisfy(order -> assertThat(order.get("status").asText()).isEqualTo("filled"));
    }

    @Test
    void a_service_logs_in_as_a_scram_user_created_over_plain_and_runs_what_is_asked() throws Exception {
        Map<String, Object> admin = new HashMap<>(KafkaBroker.clientConfig());
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        String password = "scram-" + java.util.UUID.randomUUID();
        try (Admin plainAdmin = Admin.create(admin)) {
            plainAdmin.alterUserScramCredentials(List.of(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(
                    KafkaBroker.SCRAM_USER, new org.apache.kafka.clients.admin.ScramCredentialInfo(
                            org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 8192), password)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        Path log = stack.service("order-executor").log();
        long before = Files.size(log);
        try {
            stack.restart("order-executor", KafkaBroker.scramEnv(KafkaBroker.SCRAM_USER, password));
            assertThat(Files.readString(log).substring((int) before))
                    .contains("answers (SASL_PLAINTEXT SCRAM-SHA-512").doesNotContain(password);

            // The executor, logged in over SCRAM, takes a manual run's request and reports the run (a manual run is for
            // an account without an active subscription, and with no run unfinished).
            String account = stack.simAccount(LocalStack.SIM_KEY);
            await().atMost(Runs.WITHIN).until(() -> StreamSupport.stream(api.get("/v1/accounts").spliterator(), false)
                    .anyMatch(a -> a.get("id").asText().equals(account)));
            api.get("/v1/rebalancing/subscriptions?account_id=" + account).get("subscriptions")
                    .forEach(sub -> api.delete("/v1/rebalancing/subscriptions/" + sub.get("id").asText()));
            java.util.concurrent.atomic.AtomicReference<JsonNode> manual = new java.util.concurrent.atomic.AtomicReference<>();
            await().atMost(Runs.WITHIN).ignoreExceptions().until(() -> {
                manual.set(api.post("/v1/rebalancing/runs", """
                        {"account_id":"%s","type":"full_rebalance","weights":[{"type":"cash","percent":"10"},
                         {"type":"asset","symbol":"SPY","percent":"90"}]}""".formatted(account)));
                return true;
            });
            JsonNode run = Runs.awaitFinal(api, account, "full_rebalance",
                    r -> r.get("id").asText().equals(manual.get().get("id").asText()));
            assertThat(run.get("status").asText()).isEqualTo("COMPLETED_SUCCESS");
        } finally {
            stack.restart("order-executor", Map.of());
        }
    }

    @Test
    void a_wrong_password_stops_a_service_at_start_and_its_log_says_why_without_the_password() throws Exception {
        Map<String, String> wrong = KafkaBroker.saslEnv(KafkaBroker.SASL_USER, "not-the-password");
        Path log = stack.service("order-executor").log();
        long before = Files.size(log);
        try {
            assertThatThrownBy(() -> stack.restart("order-executor", wrong))
                    .hasMessageContaining("order-executor exited");
            String written = Files.readString(log).substring((int) before);
            assertThat(written).contains("refused this service's credentials (SASL_PLAINTEXT PLAIN)")
                    .contains("KAFKA_SASL_JAAS_CONFIG").doesNotContain("not-the-password");
        } finally {
            stack.restart("order-executor", Map.of());
        }
    }
}
