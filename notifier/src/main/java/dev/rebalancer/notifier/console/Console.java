package dev.rebalancer.notifier.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.notifier.console.Replies.Reply;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What each command from the owner does and answers. Reads go to portfolio-service; {@code /halt} and the
 * {@code /confirm} that completes a {@code /resume} go through its halt API with the update's id as the idempotency
 * key and the Telegram user as {@code requested_by}. Nothing here writes to the notifier's database: the outcome
 * ({@link Handled}) is recorded by the poller with the offset, in one transaction.
 */
public final class Console {

    /** A command as a user wrote it: {@code /drift main} → name {@code drift}, argument {@code main}. */
    public record Command(long updateId, String chatId, long userId, String username, String name, String argument) {

        /** The command in a message's text, if it is one: the first word starts with '/', any {@code @bot} dropped. */
        public static Optional<Command> parse(long updateId, String chatId, long userId, String username,
                String text) {
            String trimmed = text == null ? "" : text.strip();
            if (!trimmed.startsWith("/") || trimmed.length() < 2) {
                return Optional.empty();
            }
            int space = trimmed.indexOf(' ');
            String word = space < 0 ? trimmed.substring(1) : trimmed.substring(1, space);
            int at = word.indexOf('@');
            String name = (at < 0 ? word : word.substring(0, at)).toLowerCase(Locale.ROOT);
            String argument = space < 0 ? "" : trimmed.substring(space + 1).strip();
            return Optional.of(new Command(updateId, chatId, userId, username, name, argument));
        }

        /** Who, as the halt history records it: {@code telegram:7 (@alice)}. */
        public String requestedBy() {
            return "telegram:" + userId + (username == null || username.isBlank() ? "" : " (@" + username + ")");
        }

        /** The idempotency key of this command's effect: the Telegram update it came in. */
        public String idempotencyKey() {
            return "telegram-update:" + updateId;
        }
    }

    /** A /resume waiting for its /confirm. */
    public record Confirmation(long updateId, String userId, String code, Instant expiresAt) {
    }

    /** What became of a command: the outcome's words, the replies, and a confirmation asked or used. */
    public record Handled(String outcome, List<Reply> replies, Confirmation asked, Long confirmationUsed) {
        static Handled answered(String outcome, Reply... replies) {
            return new Handled(outcome, List.of(replies), null, null);
        }
    }

    /** What the console remembers, in the notifier's database. */
    public interface Memory {
        /** The open /resume of a user by its code (not expired, not used by another /confirm). */
        Optional<Confirmation> open(String userId, String code, Instant now, long confirmingUpdate);

        /** Each account's allocation in the newest weekly report before {@code time}: drift "since last week". */
        Map<String, Map<String, BigDecimal>> allocationsBefore(Instant time);
    }

    static final int DEFAULT_RUNS = 5;
    static final int MAX_RUNS = 20;
    static final String HELP_TITLE = "Rebalancer commands";

    private final PortfolioApi portfolio;
    private final Memory memory;
    private final Duration confirmWithin;
    private final byte[] codeSecret;

    public Console(PortfolioApi portfolio, Memory memory, Duration confirmWithin, String codeSecret) {
        this.portfolio = portfolio;
        this.memory = memory;
        this.confirmWithin = confirmWithin;
        this.codeSecret = codeSecret.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Carries the command out and words the answer. Throws {@link PortfolioApi.Unavailable} when portfolio-service does
     * not answer: the command is to be tried again, with the same idempotency key.
     */
    public Handled handle(Command command, Instant now) {
        try {
            return switch (command.name()) {
                case "start", "help" -> Handled.answered("help", help());
                case "status" -> Handled.answered("status", status());
                case "drift" -> drift(command.argument(), now);
                case "runs" -> runs(command.argument());
                case "halt" -> halt(command);
                case "resume" -> resume(command, now);
                case "confirm" -> confirm(command, now);
                default -> Handled.answered("unknown command", Reply.text("Unknown command /" + command.name(),
                        List.of("/help lists the commands.")));
            };
        } catch (PortfolioApi.Refused refused) {
            return Handled.answered("refused: " + refused.getMessage(), Reply.text("Could not do /" + command.name(),
                    List.of(refused.getMessage())));
        }
    }

    static Reply help() {
        return Reply.text(HELP_TITLE, List.of(
                "/status — each account: equity, cash, weights against target and band, last run; the halt switch",
                "/drift [account] — the drift table and a chart of allocation against target",
                "/runs [n] — the last n runs (" + DEFAULT_RUNS + " unless told, at most " + MAX_RUNS + ")",
                "/halt [reason] — stop all trading now",
                "/resume — start trading again (asks for a confirmation)",
                "/help — this list"));
    }

    private Reply status() {
        JsonNode halt = portfolio.halt();
        List<String> lines = new ArrayList<>();
        lines.add(halt.path("halted").asBoolean() ? "Trading: HALTED since " + Replies.time(halt.path("updated_at"))
                + " — " + halt.path("reason").asText("no reason given") : "Trading: running");
        for (JsonNode account : portfolio.accounts()) {
            lines.add("");
            String id = account.path("id").asText();
            lines.add(name(account) + " · " + account.path("mode").asText() + (account.path("dry_run").asBoolean()
                    ? " · dry run" : "") + " · Alpaca " + (account.path("alpaca_reachable").asBoolean(true)
                    ? "reachable" : "NOT REACHABLE"));
            JsonNode snapshot = account.path("snapshot");
            lines.add(snapshot.isObject() ? "Equity " + Replies.money(snapshot.path("equity")) + " · cash "
                    + Replies.money(snapshot.path("cash")) + " · as of " + Replies.time(snapshot.path("occurred_at"))
                    : "No position snapshot yet");
            PortfolioApi.Answer drift = portfolio.drift(id);
            if (drift.ok()) {
                lines.addAll(Replies.driftLines(drift.body()));
            } else {
                lines.add(drift.refused().said());
            }
            JsonNode last = portfolio.runs(id, 1).path("runs");
            lines.add(last.isEmpty() ? "Last run: none" : "Last run: " + last.get(0).path("type").asText() + " "
                    + last.get(0).path("status").asText() + " at " + Replies.time(last.get(0).path("created_at")));
        }
        return Reply.text("Status", lines);
    }

    private Handled drift(String argument, Instant now) {
        JsonNode accounts = portfolio.accounts();
        List<JsonNode> chosen = new ArrayList<>();
        for (JsonNode account : accounts) {
            if (argument.isEmpty() || argument.equalsIgnoreCase(account.path("id").asText())
                    || argument.equalsIgnoreCase(account.path("name").asText())) {
                chosen.add(account);
            }
        }
        if (chosen.isEmpty()) {
            List<String> names = new ArrayList<>();
            accounts.forEach(a -> names.add(name(a)));
            return Handled.answered("no such account", Reply.text("No account \"" + argument + "\"",
                    List.of(names.isEmpty() ? "No account is managed." : "Accounts: " + String.join(", ", names))));
        }
        Map<String, Map<String, BigDecimal>> lastWeek = memory.allocationsBefore(now);
        List<Reply> replies = new ArrayList<>();
        for (JsonNode account : chosen) {
            replies.addAll(WeeklyReport.account(portfolio, account, lastWeek.get(account.path("id").asText()), now,
                    new HashMap<>()));
        }
        return new Handled("drift", replies, null, null);
    }

    private Handled runs(String argument) {
        int n = DEFAULT_RUNS;
        if (!argument.isEmpty()) {
            try {
                n = Integer.parseInt(argument);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_RUNS) {
                return Handled.answered("bad argument", Reply.text("/runs takes a number from 1 to " + MAX_RUNS,
                        List.of("For example: /runs 10")));
            }
        }
        Map<String, String> names = new HashMap<>();
        portfolio.accounts().forEach(a -> names.put(a.path("id").asText(), name(a)));
        JsonNode runs = portfolio.runs(null, n).path("runs");
        List<String> lines = new ArrayList<>();
        for (JsonNode run : runs) {
            String id = run.path("account_id").asText();
            lines.add(Replies.runLine(run, names.getOrDefault(id, id)));
        }
        if (lines.isEmpty()) {
            lines.add("No run yet.");
        }
        return Handled.answered("runs", Reply.text("Last " + runs.size() + (runs.size() == 1 ? " run" : " runs"),
                lines));
    }

    private Handled halt(Command command) {
        String reason = command.argument().isEmpty() ? "halted from Telegram" : command.argument();
        JsonNode halt = portfolio.engage(reason, command.requestedBy(), command.idempotencyKey());
        return Handled.answered("halted", Reply.text("Halt engaged", List.of(
                "Reason: " + halt.path("reason").asText(reason),
                "By: " + command.requestedBy(),
                "No order is sent until /resume; the executor confirms with \"Trading halted\".")));
    }

    private Handled resume(Command command, Instant now) {
        JsonNode halt = portfolio.halt();
        if (!halt.path("halted").asBoolean()) {
            return Handled.answered("not halted", Reply.text("Trading is not halted", List.of("Nothing to resume.")));
        }
        Confirmation asked = new Confirmation(command.updateId(), Long.toString(command.userId()),
                code(command.updateId()), now.plus(confirmWithin));
        return new Handled("confirmation asked", List.of(Reply.text("Resume trading?", List.of(
                "Halted since " + Replies.time(halt.path("updated_at")) + ": " + halt.path("reason").asText("—"),
                "Send /confirm " + asked.code() + " within " + words(confirmWithin) + " to resume."))), asked, null);
    }

    private Handled confirm(Command command, Instant now) {
        String code = command.argument();
        Optional<Confirmation> open = code.isEmpty() ? Optional.empty()
                : memory.open(Long.toString(command.userId()), code, now, command.updateId());
        if (open.isEmpty()) {
            return Handled.answered("no confirmation", Reply.text("Nothing to confirm", List.of(
                    "No /resume of yours waits for code \"" + code + "\" (wrong, used, or older than "
                            + words(confirmWithin) + "). Send /resume again.")));
        }
        portfolio.release("resumed from Telegram", command.requestedBy(), command.idempotencyKey());
        return new Handled("resumed", List.of(Reply.text("Halt released", List.of("By: " + command.requestedBy(),
                "Orders are sent again."))), null, open.get().updateId());
    }

    /** Four digits from the update's id, keyed by a secret of this installation: the same on a retry. */
    String code(long updateId) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(codeSecret);
            byte[] hash = digest.digest(Long.toString(updateId).getBytes(StandardCharsets.UTF_8));
            int value = ((hash[0] & 0xff) << 16 | (hash[1] & 0xff) << 8 | (hash[2] & 0xff)) % 10_000;
            return String.format(Locale.ROOT, "%04d", value);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String name(JsonNode account) {
        String name = account.path("name").asText("");
        return name.isEmpty() ? account.path("id").asText() : name;
    }

    private static String words(Duration duration) {
        return duration.toSeconds() % 60 == 0 ? duration.toMinutes() + " min" : duration.toSeconds() + " s";
    }
}
