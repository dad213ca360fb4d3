package dev.rebalancer.notifier.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.notifier.config.NotifierConfig;
import dev.rebalancer.notifier.console.Console.Command;
import dev.rebalancer.notifier.console.Console.Handled;
import dev.rebalancer.notifier.console.ConsoleStore.Update;
import dev.rebalancer.notifier.console.Replies.Reply;
import dev.rebalancer.notifier.delivery.Sender;
import dev.rebalancer.notifier.telegram.TelegramClient;
import dev.rebalancer.runtime.WorkerLoop;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Reads the owner's commands from Telegram by long polling {@code getUpdates} (no webhook: the notifier takes no
 * inbound traffic), on one instance at a time (the one holding {@link ConsoleStore}'s polling lock), from the offset
 * kept in PostgreSQL. Each update is handled then recorded with its replies and the offset in one transaction, so a
 * crash in between reads it again: its effect carries the update's id as the idempotency key and is not made twice,
 * and its reply is queued once. Only messages in {@code TELEGRAM_CHAT_ID} from {@code TELEGRAM_ALLOWED_USER_IDS} are
 * commands; any other is logged with its ids and never answered. When portfolio-service does not answer, the update
 * stays unread and is tried again (the user told once).
 */
@ApplicationScoped
public class UpdatePoller {

    private static final Logger LOG = Logger.getLogger(UpdatePoller.class);
    /** Counter: updates read, by {@code outcome} (answered, ignored). */
    public static final String UPDATES = "rebalancer.telegram.updates";
    private static final Duration NOT_LEADER_WAIT = Duration.ofSeconds(2);
    private static final Duration RETRY_WAIT = Duration.ofSeconds(3);

    private final ConsoleStore store;
    private final Sender sender;
    private final Optional<TelegramClient> telegram;
    private final Optional<PortfolioApi> portfolio;
    private final Set<Long> allowed;
    private final Duration pollTimeout;
    private final Duration clockOffset;
    private final Console console;
    private final MeterRegistry registry;
    private final WorkerLoop loop;
    private final Set<Long> toldUnavailable = new HashSet<>();
    private Instant lastConflictLogged = Instant.EPOCH;

    UpdatePoller(ConsoleStore store, Sender sender, NotifierConfig config, MeterRegistry registry) {
        this.store = store;
        this.sender = sender;
        this.registry = registry;
        this.allowed = Set.copyOf(config.console().allowedUserIds().orElse(List.of()));
        this.telegram = allowed.isEmpty() ? Optional.empty() : TelegramClient.of(config.telegram());
        this.portfolio = allowed.isEmpty() ? Optional.empty() : PortfolioApi.of(config.portfolio());
        if (!allowed.isEmpty() && (telegram.isEmpty() || portfolio.isEmpty())) {
            throw new IllegalStateException("TELEGRAM_ALLOWED_USER_IDS is set: the console also needs "
                    + (telegram.isEmpty() ? "TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID" : "PORTFOLIO_URL (with "
                    + "REBALANCER_API_KEY and REBALANCER_API_SECRET)") + "; unset it to run without commands");
        }
        this.pollTimeout = config.console().pollTimeout();
        this.clockOffset = config.clockOffset();
        this.console = portfolio.map(api -> new Console(api, store, config.console().confirmWithin(),
                config.telegram().botToken().orElse(""))).orElse(null);
        this.loop = new WorkerLoop("telegram-console", Duration.ofMillis(100), this::round);
        for (String outcome : List.of("answered", "ignored")) {
            counter(outcome);
        }
    }

    void start(@Observes StartupEvent event) {
        if (console == null) {
            LOG.info("Telegram commands are off: TELEGRAM_ALLOWED_USER_IDS is not set");
            return;
        }
        LOG.infof("Telegram commands are read in chat %s from users %s", telegram.get().chatId(),
                allowed.stream().sorted().map(String::valueOf).collect(Collectors.joining(", ")));
        loop.start();
    }

    void stop(@Observes ShutdownEvent event) {
        loop.close(Duration.ofSeconds(1)); // a long poll in flight is cut short: its updates are read again
        store.resign();
    }

    private Counter counter(String outcome) {
        return Counter.builder(UPDATES).tag("outcome", outcome)
                .description("Telegram updates read by the console, by outcome").register(registry);
    }

    private void round() {
        if (!store.lead()) {
            pause(NOT_LEADER_WAIT);
            return;
        }
        TelegramClient.Polled polled = telegram.get().updates(store.offset(), pollTimeout);
        if (polled instanceof TelegramClient.Conflict conflict) {
            Instant now = Instant.now();
            if (lastConflictLogged.plus(Duration.ofMinutes(1)).isBefore(now)) {
                lastConflictLogged = now;
                LOG.warnf("Telegram ended this instance's getUpdates: %s (another process polls with this bot token;"
                        + " notifier instances take turns by themselves, so look for another program using it)",
                        conflict.description());
            }
            pause(RETRY_WAIT);
        } else if (polled instanceof TelegramClient.PollFailed failed) {
            LOG.warnf("getUpdates failed (%s); asking again in %d s", failed.description(), failed.retryIn().toSeconds());
            pause(failed.retryIn());
        } else if (polled instanceof TelegramClient.Updates updates) {
            for (JsonNode update : updates.updates()) {
                if (!handle(update)) {
                    pause(RETRY_WAIT);
                    return; // this update and the ones after it are read again
                }
            }
        }
    }

    /** Handles one update; false when it is to be read again (portfolio-service did not answer). */
    private boolean handle(JsonNode json) {
        long updateId = json.path("update_id").asLong();
        JsonNode message = json.path("message");
        String chatId = message.path("chat").path("id").asText(null);
        long userId = message.path("from").path("id").asLong(0);
        String text = message.path("text").asText(null);
        Update update = new Update(updateId, chatId, userId == 0 ? null : Long.toString(userId), text);
        Instant now = Instant.now().plus(clockOffset);
        if (!telegram.get().chatId().equals(chatId) || !allowed.contains(userId)) {
            LOG.warnf("ignored Telegram update %d from chat %s, user %s: %s", updateId, chatId, update.userId(),
                    telegram.get().chatId().equals(chatId) ? "the user may not command"
                            : "not the configured chat");
            counter("ignored").increment();
            store.handled(update, "ignored: " + (telegram.get().chatId().equals(chatId) ? "user not allowed"
                    : "other chat"), List.of(), null, null);
            return true;
        }
        Optional<Command> command = Console.Command.parse(updateId, chatId, userId,
                message.path("from").path("username").asText(null), text);
        if (command.isEmpty()) {
            store.handled(update, "not a command", List.of(), null, null);
            return true;
        }
        Handled handled;
        try {
            handled = console.handle(command.get(), now);
        } catch (PortfolioApi.Unavailable e) {
            LOG.warnf("update %d (/%s): %s; trying again", updateId, command.get().name(), e.getMessage());
            if (toldUnavailable.add(updateId)) {
                store.tell(List.of(Reply.text("Waiting for portfolio-service", List.of(e.getMessage(),
                        "/" + command.get().name() + " is carried out as soon as it answers."))));
                sender.wake();
            }
            return false;
        }
        toldUnavailable.remove(updateId);
        counter("answered").increment();
        LOG.infof("Telegram update %d: /%s from user %d: %s", updateId, command.get().name(), userId,
                handled.outcome());
        store.handled(update, handled.outcome(), handled.replies(), handled.asked(), handled.confirmationUsed());
        sender.wake();
        return true;
    }

    private static void pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
