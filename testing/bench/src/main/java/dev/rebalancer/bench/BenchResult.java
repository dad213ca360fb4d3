package dev.rebalancer.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rebalancer.contracts.EventJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One benchmark's result as BENCHMARKS.md lays it out: the value, the baseline measured in the same run, their ratio,
 * the target, and the individual runs. The target bounds the ratio, or, where the issue sets an absolute goal
 * ({@code targetOnValue}), the value itself.
 */
record BenchResult(String name, String unit, double value, String baselineName, double baseline, double target,
        boolean higherIsBetter, boolean targetOnValue, Map<String, Object> params, List<Double> runs) {

    double ratio() {
        return value / baseline;
    }

    boolean meetsTarget() {
        double measured = targetOnValue ? value : ratio();
        return higherIsBetter ? measured >= target : measured <= target;
    }

    void write(Path directory) {
        ObjectNode json = EventJson.mapper().createObjectNode();
        json.put("name", name);
        json.put("unit", unit);
        json.put("value", value);
        json.put("baseline_name", baselineName);
        json.put("baseline", baseline);
        json.put("ratio", ratio());
        json.put("target", target);
        json.put("target_on", targetOnValue ? "value" : "ratio");
        json.put("meets_target", meetsTarget());
        json.set("params", EventJson.mapper().valueToTree(params));
        json.set("runs", EventJson.mapper().valueToTree(runs));
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve(name + ".json"), json.toPrettyString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String line() {
        return String.format(Locale.ROOT, "BENCH %s value=%.2f baseline=%.2f ratio=%.3f target=%s%s%.2f %s", name,
                value, baseline, ratio(), targetOnValue ? "value" : "", higherIsBetter ? ">=" : "<=", target,
                meetsTarget() ? "ok" : "short");
    }
}
