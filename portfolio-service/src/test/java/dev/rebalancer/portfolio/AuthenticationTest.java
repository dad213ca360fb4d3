package dev.rebalancer.portfolio;

import static io.restassured.RestAssured.given;

import dev.rebalancer.testing.infra.AlpacaSimResource;
import dev.rebalancer.testing.infra.KafkaResource;
import dev.rebalancer.testing.infra.Management;
import dev.rebalancer.testing.infra.PostgresResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.Method;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(value = PostgresResource.class, initArgs = @ResourceArg(name = "database", value = "portfolio"))
@WithTestResource(AlpacaSimResource.class)
class AuthenticationTest {

    static Stream<Arguments> everyNonHealthEndpoint() {
        String id = UUID.randomUUID().toString();
        return Stream.of(
                Arguments.of(Method.GET, "/v1/rebalancing/portfolios"),
                Arguments.of(Method.POST, "/v1/rebalancing/portfolios"),
                Arguments.of(Method.GET, "/v1/rebalancing/portfolios/" + id),
                Arguments.of(Method.PATCH, "/v1/rebalancing/portfolios/" + id),
                Arguments.of(Method.DELETE, "/v1/rebalancing/portfolios/" + id),
                Arguments.of(Method.GET, "/v1/rebalancing/subscriptions"),
                Arguments.of(Method.POST, "/v1/rebalancing/subscriptions"),
                Arguments.of(Method.GET, "/v1/rebalancing/subscriptions/" + id),
                Arguments.of(Method.DELETE, "/v1/rebalancing/subscriptions/" + id),
                Arguments.of(Method.GET, "/v1/rebalancing/runs"),
                Arguments.of(Method.POST, "/v1/rebalancing/runs"),
                Arguments.of(Method.GET, "/v1/rebalancing/runs/" + id),
                Arguments.of(Method.DELETE, "/v1/rebalancing/runs/" + id),
                Arguments.of(Method.GET, "/v1/beta/rebalancing/runs"),
                Arguments.of(Method.POST, "/v1/beta/rebalancing/runs"),
                Arguments.of(Method.GET, "/v1/beta/rebalancing/runs/" + id),
                Arguments.of(Method.DELETE, "/v1/beta/rebalancing/runs/" + id),
                Arguments.of(Method.GET, "/v1/accounts"),
                Arguments.of(Method.GET, "/v1/accounts/" + id),
                Arguments.of(Method.GET, "/v1/accounts/" + id + "/drift"),
                Arguments.of(Method.GET, "/v1/trading/halt"),
                Arguments.of(Method.POST, "/v1/trading/halt"),
                Arguments.of(Method.DELETE, "/v1/trading/halt"),
                Arguments.of(Method.GET, "/v1/trading/halt/history"),
                Arguments.of(Method.GET, "/v1/dead-letters"),
                Arguments.of(Method.POST, "/v1/dead-letters/replay"),
                Arguments.of(Method.GET, "/q/openapi"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyNonHealthEndpoint")
    void without_credentials_every_endpoint_but_health_is_401(Method method, String path) {
        given().contentType("application/json").body("{}").when().request(method, path).then().statusCode(401);
        given().auth().preemptive().basic(Api.KEY, "wrong-secret").contentType("application/json").body("{}")
                .when().request(method, path).then().statusCode(401);
        given().auth().preemptive().basic("wrong-key", Api.SECRET).contentType("application/json").body("{}")
                .when().request(method, path).then().statusCode(401);
    }

    @Test
    void health_and_metrics_need_no_credentials_on_the_management_port_and_are_not_on_the_api_port() {
        for (String path : List.of("/q/health", "/q/health/ready", "/q/health/live", "/q/metrics")) {
            Management.request().when().get(path).then().statusCode(200);
            // On the API's port nothing but the API, and nothing without credentials: 401 before any 404.
            given().when().get(path).then().statusCode(401);
            Api.authorized().when().get(path).then().statusCode(404);
        }
    }
}
