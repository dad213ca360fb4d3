package dev.rebalancer.notifier.telegram;

/**
 * Telegram's MarkdownV2: outside entities each of {@code _ * [ ] ( ) ~ ` > # + - = | { } . !} and the backslash
 * itself is written with a backslash before it. Text is escaped whole; the only entity used is a bold title.
 */
public final class MarkdownV2 {

    /** Every character that must be escaped in ordinary text. */
    public static final String RESERVED = "_*[]()~`>#+-=|{}.!\\";

    private MarkdownV2() {
    }

    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (RESERVED.indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    public static String bold(String text) {
        return "*" + escape(text) + "*";
    }
}
