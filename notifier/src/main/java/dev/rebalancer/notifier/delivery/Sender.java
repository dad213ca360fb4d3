package dev.rebalancer.notifier.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.notifier.config.NotifierConfig;
import dev.rebalancer.notifier.delivery.NotificationStore.Message;
import dev.rebalancer.notifier.delivery.NotificationStore.Pending;
import dev.rebalancer.notifier.telegram.Parts;
import dev.rebalancer.notifier.telegram.TelegramClient;
import dev.rebalancer.runtime.ConsumerRetry;
import dev.rebalancer.runtime.WorkerLoop;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Turns stored notifications into messages and delivers them to the chat, oldest first, one part at a time, at most one
 * message per {@code per-chat-interval}. Critical notifications become messages at once; others wait up to
 * {@code burst-window} for the rest of their burst, and more than {@code burst-size} of them become one digest.
 * 429 → wait Telegram's {@code retry_after}; a MarkdownV2 Telegram cannot parse → the same part as plain text; 5xx,
 * no answer or a refusal → exponential backoff, without end: nothing is dropped, and nothing after it overtakes it.
 * Without a token, notifications are written to the log as JSON lines instead.
 */
@ApplicationScoped
public class Sender {

    private static final Logger LOG = Logger.getLogger(Sender.class);
    /** Where notifications go, one JSON line each, when no bot token is configured. */
    static final Logger NOTIFICATIONS_LOG = Logger.getLogger("dev.rebalancer.notifier.notifications");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NotificationStore store;
    private final NotifierConfig.Delivery settings;
    private final Optional<TelegramClient> telegram;
    private final WorkerLoop loop;
    private final String chatId;
    private Instant lastSent = Instant.EPOCH;
    /**
     * The last part Telegram took, until the database has it: when the transaction that records it fails (the database
     * gone between Telegram's answer and the commit), the next round writes it down instead of sending it again.
     * Telegram has no idempotency key, so this memory is all that stands between a database blip and a duplicate.
     * Known by its text: the failed transaction may have composed the message too, and its next composition has
     * another id. Forgotten once a round that wrote it down commits (else a later message of the same text would be
     * taken for it); a round that only composed, or waited for the pacing, keeps it. Only the worker loop's thread
     * touches it.
     */
    private Taken taken;

    /** A part Telegram accepted: its text, whether it was its message's last, when. */
    private record Taken(String text, boolean last, Instant at) {
    }

    /** Counter: messages or parts Telegram accepted. */
    public static final String DELIVERIES = "rebalancer.telegram.deliveries";
    /** Counter: sends Telegram did not accept, by {@code reason}: retry_after, bad_formatting, failed. */
    public static final String FAILURES = "rebalancer.telegram.failures";
    /** Gauge: notifications not yet delivered. */
    public static final String BACKLOG = "rebalancer.telegram.backlog";

    private final io.micrometer.core.instrument.Counter deliveries;
    private final MeterRegistry registry;

    Sender(NotificationStore store, NotifierConfig config, MeterRegistry registry) {
        this.store = store;
        this.settings = config.delivery();
        NotifierConfig.Telegram t = config.telegram();
        this.chatId = t.chatId().orElse("");
        this.telegram = TelegramClient.of(t);
        io.micrometer.core.instrument.Gauge.builder(BACKLOG, store, s -> s.undelivered())
                .description("Notifications not yet delivered to Telegram").register(registry);
        this.deliveries = io.micrometer.core.instrument.Counter.builder(DELIVERIES)
                .description("Messages (or parts of a long one) Telegram accepted").register(registry);
        this.registry = registry;
        this.loop = new WorkerLoop("telegram-sender", settings.tick(), this::tick);
        for (String reason : List.of("retry_after", "bad_formatting", "failed")) {
            failure(reason);
        }
    }

    private io.micrometer.core.instrument.Counter failure(String reason) {
        return io.micrometer.core.instrument.Counter.builder(FAILURES).tag("reason", reason)
                .description("Sends Telegram did not accept, by reason").register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (telegram.isEmpty()) {
            LOG.warn("TELEGRAM_BOT_TOKEN is not set: notifications are written to the log as JSON lines (logger "
                    + NOTIFICATIONS_LOG.getName() + "), nothing is sent to Telegram");
        } else {
            LOG.infof("notifications go to Telegram chat %s", chatId);
        }
        loop.start();
    }

    /**
     * A consumer that cannot store what it receives (the notifier's database away) is reported to Telegram directly,
     * past the store that is stuck; without a bot token, to the notifications log.
     */
    @Produces
    @ApplicationScoped
    ConsumerRetry.Alarm stalledConsumerAlarm() {
        return new ConsumerRetry.Alarm() {
            @Override
            public void stalled(String channel, Duration stalledFor, String error) {
                direct("Notifier cannot store " + channel + " events", "No progress for " + stalledFor.toSeconds()
                        + " s; they wait in Kafka and are delivered when this clears. Last error: " + error);
            }

            @Override
            public void recovered(String channel, Duration stalledFor) {
                direct("Notifier stores " + channel + " events again", "After " + stalledFor.toSeconds()
                        + " s without progress; nothing was skipped.");
            }
        };
    }

    private void direct(String title, String detail) {
        if (telegram.isEmpty()) {
            NOTIFICATIONS_LOG.info(JSON.createObjectNode().put("title", title).put("detail", detail).toString());
            return;
        }
        TelegramClient.Result result = telegram.get().send(title + "\n" + detail, false);
        if (!(result instanceof TelegramClient.Sent)) {
            throw new IllegalStateException("Telegram did not take the message: " + result);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        loop.close();
    }

    /** Something arrived: look now rather than at the next tick. */
    public void wake() {
        loop.wake();
    }

    private void tick() {
        boolean recorded = store.exclusively(c -> {
            Instant now = Instant.now();
            if (telegram.isEmpty()) {
                writeToLog(c);
                return false;
            }
            compose(c, now);
            return deliver(c, now);
        }).orElse(false);
        if (recorded) {
            taken = null; // committed: what Telegram took is in the database now
        }
    }

    private void writeToLog(Connection c) throws SQLException {
        List<Pending> pending = store.pending(c);
        for (Pending p : pending) {
            ObjectNode line = JSON.createObjectNode();
            line.put("event_id", p.notification().eventId());
            line.put("severity", NotificationStore.severityWord(p.notification().severity()));
            line.put("title", p.notification().title());
            line.putPOJO("lines", p.notification().lines());
            line.put("account_id", p.notification().accountId());
            line.put("run_id", p.notification().runId());
            line.put("received_at", p.receivedAt().toString());
            NOTIFICATIONS_LOG.info(line.toString());
        }
        store.logged(c, pending);
    }

    private void compose(Connection c, Instant now) throws SQLException {
        List<Pending> others = new ArrayList<>();
        for (Pending p : store.pending(c)) {
            if (p.notification().severity() == Severity.CRITICAL) {
                store.compose(c, p.notification().title(), p.notification().lines(), List.of(p), now);
            } else {
                others.add(p);
            }
        }
        if (others.isEmpty() || others.get(0).receivedAt().plus(settings.burstWindow()).isAfter(now)) {
            return; // still gathering the burst
        }
        if (others.size() > settings.burstSize()) {
            List<String> lines = new ArrayList<>();
            for (Pending p : others) {
                String account = p.notification().accountId() == null ? "" : " (" + p.notification().accountId() + ")";
                lines.add("• " + p.notification().title() + account);
            }
            store.compose(c, others.size() + " alerts within " + settings.burstWindow().toSeconds() + " s", lines,
                    others, now);
            return;
        }
        for (Pending p : others) {
            store.compose(c, p.notification().title(), p.notification().lines(), List.of(p), now);
        }
    }

    /** Sends the next part that is due, if any; true when the round wrote down a part Telegram took. */
    private boolean deliver(Connection c, Instant now) throws SQLException {
        Optional<Message> head = store.head(c);
        if (head.isEmpty() || head.get().nextAttemptAt().isAfter(now)
                || lastSent.plus(settings.perChatInterval()).isAfter(now)) {
            return false;
        }
        Message message = head.get();
        Parts parts = message.photo() == null ? new Parts(message.title(), message.lines())
                : Parts.caption(message.title(), message.lines());
        int index = message.partsSent();
        String part = parts.part(index, message.plainText());
        Taken before = taken;
        if (before != null && before.text().equals(part)) {
            LOG.infof("message %d: part %d was taken by Telegram but not recorded; recorded now, not sent again",
                    message.id(), index + 1);
            store.partSent(c, message.id(), index + 1, before.last(), before.at());
            loop.wakeIn(Duration.ZERO);
            return true; // remembered until this round commits
        }
        taken = null; // not this part: recorded meanwhile by another instance, or never to be sent as it was
        TelegramClient.Result result = message.photo() == null ? telegram.get().send(part, !message.plainText())
                : telegram.get().sendPhoto(message.photo(), part, !message.plainText());
        lastSent = Instant.now();
        if (result instanceof TelegramClient.Sent) {
            deliveries.increment();
            taken = new Taken(part, index + 1 >= parts.count(), lastSent);
            store.partSent(c, message.id(), index + 1, index + 1 >= parts.count(), lastSent);
            loop.wakeIn(settings.perChatInterval());
        } else if (result instanceof TelegramClient.RetryAfter wait) {
            failure("retry_after").increment();
            LOG.warnf("message %d: Telegram asks to wait %d s (%s)", message.id(), wait.delay().toSeconds(),
                    wait.description());
            store.retryAt(c, message.id(), lastSent.plus(wait.delay()), message.attempts() + 1, wait.description());
        } else if (result instanceof TelegramClient.BadFormatting bad) {
            failure("bad_formatting").increment();
            LOG.warnf("message %d: Telegram could not parse its MarkdownV2 (%s); sending it as plain text",
                    message.id(), bad.description());
            store.plainText(c, message.id(), bad.description());
        } else if (result instanceof TelegramClient.Failed failed) {
            failure("failed").increment();
            int attempts = message.attempts() + 1;
            Duration wait = backoff(attempts);
            LOG.warnf("message %d not delivered (%s); trying again in %d ms", message.id(), failed.description(),
                    wait.toMillis());
            store.retryAt(c, message.id(), lastSent.plus(wait), attempts, failed.description());
        }
        return result instanceof TelegramClient.Sent;
    }

    /** The initial backoff doubled for every attempt after the first, at most the maximum. */
    private Duration backoff(int attempts) {
        Duration wait = settings.initialBackoff();
        for (int i = 1; i < attempts && wait.compareTo(settings.maxBackoff()) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : wait;
    }
}
