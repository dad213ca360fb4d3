package dev.rebalancer.testing.infra;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every service must serve, proved against the real broker and database the suite started. A service's test
 * extends this under {@code @QuarkusTest} with its test resources and names the health checks it must report UP.
 */
public abstract class ServiceEndpointsContract {

    public static final String KAFKA_CHECK = "Kafka connection health check";
    public static final String DATABASE_CHECK = "Database connections health check";

    /** The names of the health checks that must be present and UP. */
    protected abstract List<String> requiredHealthChecks();

    /** The service's {@code WorkerLoop}s, which liveness must report by name; none by default. */
    protected List<String> workerLoops() {
        return List.of();
    }

    /** A request with whatever credentials the service asks for beyond health; none by default. */
    protected RequestSpecification request() {
        return given();
    }

    @Test
    void health_is_up_with_every_required_check_up() {
        // Some checks come up asynchronously after start (a Kafka Streams topology joining its group).
        Awaitility.await().atMost(Duration.ofSeconds(60))
                .until(() -> Management.request().when().get("/q/health").then().extract().statusCode() == 200);
        JsonPath health = Management.request().when().get("/q/health").then().statusCode(200).extract().jsonPath();

        assertThat(health.getString("status")).isEqualTo("UP");
        List<Map<String, Object>> checks = health.getList("checks");
        for (String required : requiredHealthChecks()) {
            assertThat(checks).as("health check '%s'", required)
                    .anySatisfy(check -> assertThat(check).containsEntry("name", required).containsEntry("status", "UP"));
        }
    }

    @Test
    void liveness_and_readiness_are_served_apart() {
        Management.request().when().get("/q/health/live").then().statusCode(200);
        Management.request().when().get("/q/health/ready").then().statusCode(200);
    }

    /** Each worker loop's heartbeat is in liveness, so a loop stuck in a round gets the service restarted. */
    @Test
    void liveness_reports_every_worker_loop() {
        JsonPath live = Management.request().when().get("/q/health/live").then().statusCode(200).extract().jsonPath();

        Map<String, Object> data = live.getMap("checks.find { it.name == 'worker-loops' }.data");
        assertThat(data == null ? Map.of() : data).as("liveness data of the worker loops")
                .containsOnlyKeys(workerLoops());
    }

    @Test
    void metrics_are_served_in_prometheus_format_on_the_management_port_without_credentials() {
        String metrics = Management.request().when().get("/q/metrics").then().statusCode(200).extract().asString();

        assertThat(metrics).contains("# TYPE jvm_memory_used_bytes gauge");
    }

    @Test
    void health_and_metrics_are_not_served_on_the_application_port() {
        assertThat(Management.port()).isNotEqualTo(io.restassured.RestAssured.port);
        for (String path : List.of("/q/metrics", "/q/health", "/q/health/ready")) {
            assertThat(request().when().get(path).then().extract().statusCode()).as(path).isEqualTo(404);
        }
    }

    /** Topic names live in one place, {@code Topics}: every channel's topic is one of them or its dead-letter topic. */
    @Test
    void every_channel_names_a_topic_that_topics_declares() {
        org.eclipse.microprofile.config.Config config = org.eclipse.microprofile.config.ConfigProvider.getConfig();
        java.util.Set<String> declared = new java.util.HashSet<>(dev.rebalancer.contracts.Topics.ALL);
        dev.rebalancer.contracts.Topics.ALL.forEach(t -> declared.add(dev.rebalancer.contracts.Topics.deadLetterOf(t)));
        java.util.Map<String, String> channels = new java.util.TreeMap<>();
        for (String name : config.getPropertyNames()) {
            if (name.matches("mp\\.messaging\\.(incoming|outgoing)\\.[^.]+\\.topic")) {
                channels.put(name, config.getValue(name, String.class));
            }
        }
        assertThat(channels).allSatisfy((name, topic) -> assertThat(declared).as(name).contains(topic));
    }

    @Test
    void the_openapi_document_is_served() {
        String openapi = request().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .extract().asString();

        assertThat(openapi).contains("\"openapi\"");
    }
}
