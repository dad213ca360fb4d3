package dev.rebalancer.testing.infra;

import static io.restassured.RestAssured.given;

import io.quarkus.test.common.http.TestHTTPResourceManager;
import io.restassured.specification.RequestSpecification;
import java.net.URI;

/**
 * The management interface of the service a {@code @QuarkusTest} started: health ({@code /q/health/*}) and metrics
 * ({@code /q/metrics}) on a port of their own, asked with no credentials.
 */
public final class Management {

    private Management() {
    }

    /** A request to the management interface; paths are given whole, e.g. {@code /q/health/ready}. */
    public static RequestSpecification request() {
        URI uri = URI.create(TestHTTPResourceManager.getManagementUri());
        return given().baseUri(uri.getScheme() + "://" + uri.getHost()).port(uri.getPort());
    }

    public static int port() {
        return URI.create(TestHTTPResourceManager.getManagementUri()).getPort();
    }
}
