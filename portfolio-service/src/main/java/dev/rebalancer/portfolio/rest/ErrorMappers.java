package dev.rebalancer.portfolio.rest;

import dev.rebalancer.portfolio.domain.InvalidInput;
import dev.rebalancer.portfolio.domain.Refusal;
import dev.rebalancer.runtime.DatabaseAway;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every failure becomes Alpaca's error shape; the database away is a 503 with {@code Retry-After}; only a bug becomes a
 * 500, and it is logged.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);
    /** What a 503 asks the caller to wait: about what a database restart or failover takes. */
    private static final String RETRY_AFTER_SECONDS = "5";

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return error(e.status, e.code, e.getMessage());
    }

    @ServerExceptionMapper
    public Response refused(Refusal e) {
        return switch (e.kind()) {
            case NOT_FOUND -> error(404, 40410000, e.getMessage());
            case CONFLICT -> error(409, 40910000, e.getMessage());
            case NOT_ALLOWED -> error(422, 42210000, e.getMessage());
            case UNAVAILABLE -> error(503, 50310000, e.getMessage());
        };
    }

    @ServerExceptionMapper
    public Response invalid(InvalidInput e) {
        return error(422, 42210000, e.getMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return error(status, status * 100000, e.getMessage());
    }

    @ServerExceptionMapper
    public Response bug(Exception e) {
        if (DatabaseAway.causes(e)) {
            // Not a bug: the database is restarting or failing over. The caller tries again; no stack trace.
            LOG.warnf("request refused while the database is unavailable: %s", e.getMessage());
            return Response.fromResponse(error(503, 50310000, "the database is unavailable just now; try again "
                    + "shortly")).header("Retry-After", RETRY_AFTER_SECONDS).build();
        }
        LOG.error("request failed", e);
        return error(500, 50010000, "internal error; the service log has the details");
    }

    static Response error(int status, int code, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Map.of("code", code, "message", message)).build();
    }
}
