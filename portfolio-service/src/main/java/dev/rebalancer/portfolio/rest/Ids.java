package dev.rebalancer.portfolio.rest;

import java.util.UUID;

/** Ids in paths are UUIDs; anything else names nothing, so it is a 404 like any unknown id. */
final class Ids {

    private Ids() {
    }

    static UUID uuid(String id, String what) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound(what + " not found: " + id);
        }
    }
}
