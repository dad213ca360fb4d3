package dev.rebalancer.e2e;

import dev.rebalancer.local.LocalStack;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The local stack as the end-to-end classes start it: beside any other, Telegram faked, faster than production. */
final class Stacks {

    private Stacks() {
    }

    /** Settings for a stack in {@code target/<dir>} on free ports, telling Telegram at {@code telegramUrl}. */
    static Map<String, String> env(String dir, String token, String chat, String telegramUrl) {
        Map<String, String> env = new HashMap<>(LocalStack.Settings.anyFreePorts());
        env.put("REBALANCER_LOCAL_DIR", Path.of("target", dir).toAbsolutePath().toString());
        env.put("TELEGRAM_BOT_TOKEN", token);
        env.put("TELEGRAM_CHAT_ID", chat);
        env.put("TELEGRAM_API_URL", telegramUrl);
        env.put("NOTIFY_RUNS", "problems");
        // Faster than production: prices move and must be seen, a killed executor's runs are taken over soon.
        env.put("POSITIONS_INTERVAL", "2s");
        // The simulator is told to allow 2,000 requests a minute (start): so is portfolio-service's polling budget.
        env.put("ALPACA_REQUESTS_PER_MINUTE", "2000");
        env.put("REBALANCER_RUNS_LEASE", "3s");
        return env;
    }

    static LocalStack start(Map<String, String> env) {
        LocalStack stack = LocalStack.start(new LocalStack.Settings(env));
        // Several accounts' polling at test speed is more than Alpaca's 200 a minute would allow one of them.
        stack.simulator().rateLimit(2_000, 60_000);
        return stack;
    }
}
