package dev.rebalancer.notifier.telegram;

import java.util.ArrayList;
import java.util.List;

/**
 * A message as Telegram takes it: parts of at most {@link #LIMIT} characters, split at line boundaries. Lines longer
 * than {@link #MAX_LINE} are cut first (escaping at most doubles a line, so every escaped line fits). The split is made
 * on the MarkdownV2 text, which is never shorter than the plain text, so the same parts serve both and a message that
 * falls back to plain text halfway keeps its part numbers.
 */
public final class Parts {

    public static final int LIMIT = 4096;
    static final int MAX_LINE = 2000;
    static final int MAX_TITLE = 256;

    private final List<String> lines;
    private final List<int[]> ranges;

    /** A photo's caption: at most {@value #CAPTION_LIMIT} characters as shown. */
    public static final int CAPTION_LIMIT = 1024;

    /**
     * The title and lines as one photo caption: the lines that fit within {@value #CAPTION_LIMIT} characters as
     * shown, and "…" for the rest (a chart's caption carries its numbers; the full table goes as a message beside).
     */
    public static Parts caption(String title, List<String> body) {
        List<String> kept = new ArrayList<>(body.subList(0, captionLines(title, body)));
        if (kept.size() < body.size()) {
            kept.add("…");
        }
        return new Parts(title, kept, Integer.MAX_VALUE);
    }

    /** Whether the whole text fits in a caption. */
    public static boolean fitsCaption(String title, List<String> body) {
        return captionLines(title, body) == body.size();
    }

    /** How many of the lines fit in a caption below the title, leaving room for "…". */
    private static int captionLines(String title, List<String> body) {
        int shown = Math.min(title.length(), MAX_TITLE);
        for (int i = 0; i < body.size(); i++) {
            shown += 1 + body.get(i).length();
            if (shown > CAPTION_LIMIT - 2) {
                return i;
            }
        }
        return body.size();
    }

    /** The title (bold in MarkdownV2) and the plain lines below it. */
    public Parts(String title, List<String> body) {
        this(title, body, LIMIT);
    }

    private Parts(String title, List<String> body, int limit) {
        lines = new ArrayList<>();
        lines.add(title.length() > MAX_TITLE ? title.substring(0, MAX_TITLE - 1) + "…" : title);
        for (String line : body) {
            for (int start = 0; start == 0 || start < line.length(); start += MAX_LINE) {
                lines.add(line.substring(start, Math.min(line.length(), start + MAX_LINE)));
            }
        }
        ranges = new ArrayList<>();
        int from = 0;
        int length = 0;
        for (int i = 0; i < lines.size(); i++) {
            int added = markdown(i).length() + (i == from ? 0 : 1);
            if (i > from && length + added > limit) {
                ranges.add(new int[] {from, i});
                from = i;
                length = markdown(i).length();
            } else {
                length += added;
            }
        }
        ranges.add(new int[] {from, lines.size()});
    }

    public int count() {
        return ranges.size();
    }

    /** Part {@code index} (from 0), in MarkdownV2 or as plain text. */
    public String part(int index, boolean plainText) {
        int[] range = ranges.get(index);
        StringBuilder text = new StringBuilder();
        for (int i = range[0]; i < range[1]; i++) {
            if (i > range[0]) {
                text.append('\n');
            }
            text.append(plainText ? lines.get(i) : markdown(i));
        }
        return text.toString();
    }

    private String markdown(int line) {
        return line == 0 ? MarkdownV2.bold(lines.get(0)) : MarkdownV2.escape(lines.get(line));
    }
}
