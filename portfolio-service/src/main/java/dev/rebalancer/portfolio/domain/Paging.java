package dev.rebalancer.portfolio.domain;

/** Alpaca's {@code page_token} and {@code limit}: the token is the offset of the next page, as Alpaca's numbers. */
public record Paging(int offset, int limit) {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    public static Paging of(String pageToken, String limit) {
        int size = DEFAULT_LIMIT;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 1 || size > MAX_LIMIT) {
                throw new InvalidInput("limit", "must be a whole number from 1 to " + MAX_LIMIT + ", got \"" + limit + "\"");
            }
        }
        int offset = 0;
        if (pageToken != null && !pageToken.isEmpty()) {
            try {
                offset = Integer.parseInt(pageToken);
            } catch (NumberFormatException e) {
                offset = -1;
            }
            if (offset < 0) {
                throw new InvalidInput("page_token", "not a token this service issued: \"" + pageToken + "\"");
            }
        }
        return new Paging(offset, size);
    }

    /** The token of the page after this one, or null when this one was the last. */
    public String next(int returned, long total) {
        long next = (long) offset + returned;
        return next < total ? Long.toString(next) : null;
    }
}
