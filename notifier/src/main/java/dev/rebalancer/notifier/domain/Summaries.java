package dev.rebalancer.notifier.domain;

import dev.rebalancer.contracts.Alert;
import dev.rebalancer.contracts.RunEvent;
import dev.rebalancer.contracts.RunOrder;
import dev.rebalancer.contracts.RunStatus;
import dev.rebalancer.contracts.Severity;
import dev.rebalancer.contracts.SkippedOrder;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Alerts and final runs as notifications people can read on a phone: plain lines, Alpaca's words and reasons. */
public final class Summaries {

    /** The final runs summarized unless every final run is asked for. */
    public static final Set<RunStatus> PROBLEMS = EnumSet.of(RunStatus.ERROR, RunStatus.TIMEOUT,
            RunStatus.COMPLETED_ADJUSTED, RunStatus.CANCELED_MID_RUN);

    private Summaries() {
    }

    public static Notification alert(Alert alert) {
        List<String> lines = new ArrayList<>();
        if (!alert.detail().isBlank()) {
            lines.addAll(alert.detail().lines().toList());
        }
        if (alert.accountId() != null) {
            lines.add("Account: " + alert.accountId());
        }
        if (alert.runId() != null) {
            lines.add("Run: " + alert.runId());
        }
        return new Notification(alert.eventId(), alert.severity(), alert.accountId(), alert.runId(), alert.title(),
                lines);
    }

    /**
     * A summary of a final run, when its status is one to report — or it is a harvest that traded: what it sold at a
     * loss is the owner's to know for their taxes; empty for unfinished runs and others.
     */
    public static Optional<Notification> run(RunEvent run, boolean everyFinalRun) {
        boolean harvested = run.type() == dev.rebalancer.contracts.RunType.TAX_LOSS_HARVEST && !run.orders().isEmpty();
        if (!run.status().isFinal() || !(everyFinalRun || harvested || PROBLEMS.contains(run.status()))) {
            return Optional.empty();
        }
        List<String> lines = new ArrayList<>();
        lines.add("Account: " + run.accountId());
        lines.add("Type: " + word(run.type()) + " · trigger: " + word(run.trigger())
                + (run.dryRun() ? " · dry run" : ""));
        if (run.amount() != null) {
            lines.add("Amount: $" + money(run.amount()));
        }
        if (run.reason() != null && !run.reason().isBlank()) {
            lines.add((run.type() == dev.rebalancer.contracts.RunType.TAX_LOSS_HARVEST ? "Harvested: " : "Reason: ")
                    + run.reason());
        }
        lines.add("Run: " + run.runId());
        if (run.turnover() != null && run.turnover().signum() > 0) {
            lines.add("Traded: $" + money(run.turnover()) + (run.estimatedCost() == null ? ""
                    : " · estimated cost $" + money(run.estimatedCost())));
        }
        section(lines, "Orders", run.orders().stream().map(Summaries::order).toList());
        section(lines, "Failed orders", run.failedOrders().stream()
                .map(o -> order(o) + (o.reason() == null ? "" : " — " + o.reason())).toList());
        section(lines, "Skipped orders", run.skippedOrders().stream().map(Summaries::skipped).toList());
        Severity severity = switch (run.status()) {
            case ERROR, TIMEOUT -> Severity.CRITICAL;
            case COMPLETED_ADJUSTED, CANCELED_MID_RUN -> Severity.WARNING;
            default -> Severity.INFO;
        };
        return Optional.of(new Notification(run.eventId(), severity, run.accountId(), run.runId(),
                "Run " + run.status() + ": " + word(run.type()), lines));
    }

    private static void section(List<String> lines, String name, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        lines.add(name + " (" + items.size() + "):");
        items.forEach(item -> lines.add("• " + item));
    }

    private static String order(RunOrder order) {
        String amount = order.notional() != null ? "$" + money(order.notional()) : plain(order.qty()) + " sh";
        String filled = order.filledQty() != null && order.filledQty().signum() > 0 && order.filledAvgPrice() != null
                ? ", " + plain(order.filledQty()) + " @ $" + money(order.filledAvgPrice()) : "";
        return word(order.side()) + " " + order.symbol() + " " + amount + " — " + order.status() + filled;
    }

    private static String skipped(SkippedOrder skip) {
        String amount = skip.notional() == null ? "" : " $" + money(skip.notional());
        return word(skip.side()) + " " + skip.symbol() + amount + " — " + skip.reason() + ": " + skip.reasonDetails();
    }

    private static String money(BigDecimal value) {
        return value.setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String plain(BigDecimal value) {
        return value == null ? "?" : value.stripTrailingZeros().toPlainString();
    }

    private static String word(Enum<?> value) {
        return value == null ? "?" : value.name().toLowerCase(Locale.ROOT);
    }
}
