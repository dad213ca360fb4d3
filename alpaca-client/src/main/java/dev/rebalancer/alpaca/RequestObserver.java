package dev.rebalancer.alpaca;

import java.time.Duration;

/**
 * Told of every request a client sent to Alpaca, retries included, once it has its answer or none: for metrics. It is
 * called on the requesting thread and must not block or throw.
 */
@FunctionalInterface
public interface RequestObserver {

    /** The status of a request that had no answer (timeout, connection refused). */
    int NO_ANSWER = 0;

    /**
     * @param method   {@code GET}, {@code POST}, …
     * @param endpoint the path with its ids, symbols and activity types replaced by placeholders, e.g.
     *                 {@code /v2/orders/{id}}: a bounded set of values
     * @param status   the HTTP status, or {@link #NO_ANSWER}
     * @param took     from sending to the answer (or to giving up on it)
     */
    void answered(String method, String endpoint, int status, Duration took);

    RequestObserver NONE = (method, endpoint, status, took) -> {
    };

    /**
     * The endpoint a path is a request to: the query left off, and every segment after the resource's name that is
     * not one of the API's own words replaced by {@code {id}} — {@code /v2/positions/SPY} is {@code /v2/positions/{id}},
     * {@code /v2/account/activities/CSD} is {@code /v2/account/activities/{id}}.
     */
    static String endpointOf(String pathAndQuery) {
        int query = pathAndQuery.indexOf('?');
        String path = query < 0 ? pathAndQuery : pathAndQuery.substring(0, query);
        String[] segments = path.split("/");
        StringBuilder endpoint = new StringBuilder();
        for (int i = 1; i < segments.length; i++) {
            String segment = segments[i];
            boolean word = i <= 2 || WORDS.contains(segment);
            endpoint.append('/').append(word ? segment : "{id}");
        }
        return endpoint.length() == 0 ? "/" : endpoint.toString();
    }

    java.util.Set<String> WORDS = java.util.Set.of("activities", "configurations", "portfolio", "history", "orders",
            "positions", "assets", "clock", "calendar", "account", "watchlists");
}
