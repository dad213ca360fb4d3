package dev.rebalancer.notifier.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rebalancer.notifier.telegram.Parts;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The words and numbers of the console's replies and the weekly report, in plain text (the sender escapes them for
 * MarkdownV2): money as {@code $1,234.56}, percents to 2 decimals, times in UTC to the minute.
 */
public final class Replies {

    /** One message to the chat: a title, plain lines, and a PNG (sent as a photo with the text as caption) or null. */
    public record Reply(String title, List<String> lines, byte[] photo) {
        public static Reply text(String title, List<String> lines) {
            return new Reply(title, List.copyOf(lines), null);
        }
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private Replies() {
    }

    /**
     * A reply with a chart as Telegram takes it: one photo whose caption is the text, or, when the text is longer than
     * a caption may be, the photo with as much as fits and the whole text as a message after it.
     */
    public static List<Reply> withChart(Reply reply) {
        if (Parts.fitsCaption(reply.title(), reply.lines())) {
            return List.of(reply);
        }
        return List.of(reply, Reply.text(reply.title(), reply.lines()));
    }

    public static String money(JsonNode amount) {
        return amount == null || amount.isNull() || amount.asText().isEmpty() ? "—" : money(new BigDecimal(amount.asText()));
    }

    public static String money(BigDecimal amount) {
        return dev.rebalancer.contracts.Money.dollars(amount);
    }

    public static String percent(BigDecimal percent) {
        return percent.setScale(2, RoundingMode.HALF_EVEN).toPlainString() + "%";
    }

    /** A signed difference in percentage points: {@code +1.25 pp}. */
    public static String points(BigDecimal points) {
        BigDecimal scaled = points.setScale(2, RoundingMode.HALF_EVEN);
        return (scaled.signum() > 0 ? "+" : "") + scaled.toPlainString() + " pp";
    }

    public static String time(JsonNode instant) {
        return instant == null || instant.isNull() ? "—" : TIME.format(Instant.parse(instant.asText()));
    }

    /** A weight's name: its symbol, or "cash". */
    public static String weight(JsonNode weight) {
        return "cash".equals(weight.path("type").asText()) ? "cash" : weight.path("symbol").asText();
    }

    /**
     * The drift view's weights as lines: {@code SPY 58.20% (target 60.00% ±5.00) ok}, or {@code PAST BAND} when past.
     */
    public static List<String> driftLines(JsonNode drift) {
        List<String> lines = new ArrayList<>();
        drift.path("weights").forEach(w -> lines.add(driftLine(w)));
        return lines;
    }

    /** One weight of the drift view as a line. */
    public static String driftLine(JsonNode w) {
        return weight(w) + " " + percent(decimal(w, "current_percent")) + " (target "
                + percent(decimal(w, "target_percent")) + " ±" + decimal(w, "band_percent")
                .setScale(2, RoundingMode.HALF_EVEN).toPlainString() + ") "
                + (w.path("breached").asBoolean() ? "PAST BAND" : "ok");
    }

    /** The drift view's weights as chart bars, in the same order as {@link #driftLines}. */
    public static List<AllocationChart.Bar> bars(JsonNode drift) {
        List<AllocationChart.Bar> bars = new ArrayList<>();
        for (JsonNode w : drift.path("weights")) {
            bars.add(new AllocationChart.Bar(decimal(w, "current_percent"), decimal(w, "target_percent"),
                    decimal(w, "band_percent"), w.path("breached").asBoolean()));
        }
        return bars;
    }

    /** A run in one line: when, account, type, status, amount, orders. */
    public static String runLine(JsonNode run, String account) {
        int orders = run.path("orders").size();
        int failed = run.path("failed_orders").size();
        String amount = run.path("amount").isNull() || run.path("amount").isMissingNode() ? ""
                : " · " + money(run.path("amount"));
        return time(run.path("created_at")) + " · " + account + " · " + run.path("type").asText() + " · "
                + run.path("status").asText() + amount + " · " + orders + (orders == 1 ? " order" : " orders")
                + (failed > 0 ? " (" + failed + " failed)" : "") + (run.path("dry_run").asBoolean() ? " · dry run" : "");
    }

    public static BigDecimal decimal(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? BigDecimal.ZERO : new BigDecimal(value.asText());
    }
}
