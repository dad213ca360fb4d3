package dev.rebalancer.runtime;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The live instances of a service, as they announce themselves in its database: which instance owns which key (an
 * account) and which one leads, so that a service scaled out divides per-account work among its instances and does
 * what must happen once on one of them.
 *
 * <p>Each instance has a row in {@code service_instance} (service, instance_id, started_at, heartbeat_at) and renews
 * it every {@code heartbeat}; a row not renewed for {@code expiry} is a lost instance's and is removed by the next
 * instance to look, an instance that stops in order removes its own at once. Every instance reads the same list
 * (rounds are serialised by an advisory lock, times are the database's):
 * <ul>
 * <li>a key is owned by one member, chosen by rendezvous hashing, so a member that joins or leaves moves only its
 * own share;</li>
 * <li>the leader is the oldest member: a new instance never displaces it, and a lost one's successor is the next
 * oldest.</li>
 * </ul>
 * An instance that could not renew its row for {@code expiry - heartbeat} (the database away, the process paused)
 * owns nothing and leads nothing until it renews it, since by then the others may have taken its share over. While
 * views differ (at most one heartbeat, when a member joins) two instances may both work on a key: what they do must
 * be idempotent, as the deposit poller's recording is.
 */
public final class Membership implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Membership.class);

    private final DataSource dataSource;
    private final String service;
    private final String instanceId;
    private final Duration heartbeat;
    private final Duration expiry;
    private final long lock;
    private final WorkerLoop loop;
    /** Before the first round and after leaving: no members, so nothing owned and nothing led. */
    private volatile View view = new View(List.of(), 0);

    /** What a round read: the members, oldest first, and until when (System.nanoTime) it may be acted on. */
    private record View(List<String> members, long validUntilNanos) {
    }

    public Membership(DataSource dataSource, String service, Duration heartbeat, Duration expiry) {
        if (expiry.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("an instance's expiry (" + expiry
                    + ") must be at least twice its heartbeat (" + heartbeat + ")");
        }
        this.dataSource = dataSource;
        this.service = service;
        this.instanceId = hostname() + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.heartbeat = heartbeat;
        this.expiry = expiry;
        this.lock = ("service-instances:" + service).hashCode();
        this.loop = new WorkerLoop("membership", heartbeat, this::roundLogged);
    }

    /**
     * Joins: the first round runs now, so that what starts next knows whether it leads (an error here fails the
     * start: a service that cannot reach its database cannot work); then a round every heartbeat.
     */
    public Membership start() {
        round();
        loop.start();
        return this;
    }

    public String instanceId() {
        return instanceId;
    }

    /** The members as last read, oldest first; empty while this instance's own announcement is out of date. */
    public List<String> members() {
        View current = view;
        return System.nanoTime() - current.validUntilNanos() < 0 ? current.members() : List.of();
    }

    /** Whether this instance is the one to do what must happen once. */
    public boolean leader() {
        List<String> members = members();
        return !members.isEmpty() && members.get(0).equals(instanceId);
    }

    /** Whether this instance is the one to work on {@code key}. */
    public boolean owns(String key) {
        List<String> members = members();
        return !members.isEmpty() && instanceId.equals(ownerOf(key, members));
    }

    /** The member that owns {@code key} among {@code members}: the highest score of the pair (rendezvous hashing). */
    static String ownerOf(String key, List<String> members) {
        String owner = null;
        long best = 0;
        for (String member : members) {
            long score = score(member, key);
            if (owner == null || Long.compareUnsigned(score, best) > 0) {
                owner = member;
                best = score;
            }
        }
        return owner;
    }

    /** FNV-1a over member, a separator and key, then a 64-bit finaliser (splitmix64) to spread close inputs. */
    private static long score(String member, String key) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : (member + '\u0000' + key).getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        hash = (hash ^ (hash >>> 30)) * 0xbf58476d1ce4e5b9L;
        hash = (hash ^ (hash >>> 27)) * 0x94d049bb133111ebL;
        return hash ^ (hash >>> 31);
    }

    private void roundLogged() {
        try {
            round();
        } catch (RuntimeException e) {
            LOG.warnf("could not renew this instance's membership (%s): %s; it owns nothing once %s have passed",
                    instanceId, e.getMessage(), expiry.minus(heartbeat));
        }
    }

    /** Renews this instance's row (inserting it when new or expired), removes the expired, reads the members. */
    private void round() {
        long began = System.nanoTime();
        List<String> members = Transactions.inTransaction(dataSource, c -> {
            Transactions.one(c, "SELECT pg_advisory_xact_lock(?)", row -> true, lock);
            Transactions.update(c, "DELETE FROM service_instance WHERE service = ? AND heartbeat_at < now() - ?"
                    + " * interval '1 millisecond'", service, expiry.toMillis());
            if (Transactions.update(c, "UPDATE service_instance SET heartbeat_at = now() WHERE service = ?"
                    + " AND instance_id = ?", service, instanceId) == 0) {
                // New, or expired while it could not renew: it joins again as the youngest.
                Transactions.update(c, "INSERT INTO service_instance (service, instance_id, started_at, heartbeat_at)"
                        + " VALUES (?, ?, now(), now())", service, instanceId);
            }
            return Transactions.query(c, "SELECT instance_id FROM service_instance WHERE service = ?"
                    + " ORDER BY started_at, instance_id", row -> row.getString(1), service);
        });
        List<String> before = view.members();
        // Others count this instance out `expiry` after its row's time, which is no earlier than `began`.
        view = new View(List.copyOf(members), began + expiry.minus(heartbeat).toNanos());
        if (!members.equals(before)) {
            LOG.infof("%s instances: %s (this one: %s%s)", service, members, instanceId,
                    members.get(0).equals(instanceId) ? ", the leader" : "");
        }
    }

    /** Leaves: the loop stops and the row goes, so that the others take this instance's share over at once. */
    @Override
    public void close() {
        loop.close();
        view = new View(List.of(), 0);
        try {
            Transactions.inTransaction(dataSource, c -> Transactions.update(c,
                    "DELETE FROM service_instance WHERE service = ? AND instance_id = ?", service, instanceId));
        } catch (RuntimeException e) {
            LOG.warnf("could not withdraw this instance (%s): %s; the others take over after %s", instanceId,
                    e.getMessage(), expiry);
        }
    }

    private static String hostname() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "instance";
            }
        }
        return host.length() > 40 ? host.substring(0, 40) : host;
    }
}
