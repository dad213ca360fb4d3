package dev.rebalancer.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a soak did and what it found: each invariant with the cases it checked and its violations. */
final class Report {

    /** The soak's own lines, on standard output and in the report, timed from the start. */
    static final class Log {
        private final long started = System.nanoTime();
        private final List<String> lines = new ArrayList<>();

        synchronized void say(String format, Object... args) {
            String line = String.format("[chaos +%6.1fs] ", (System.nanoTime() - started) / 1e9)
                    + String.format(format, args);
            lines.add(line);
            System.out.println(line);
        }

        synchronized List<String> lines() {
            return List.copyOf(lines);
        }
    }

    /** One invariant over the whole history: how many cases it looked at, and the ones that broke it. */
    record Invariant(String name, String rule, long checked, List<String> violations) {
        Invariant {
            violations = List.copyOf(violations);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int EXAMPLES = 20;

    final long seed;
    final int minutes;
    final List<Invariant> invariants = new ArrayList<>();
    final Map<String, Object> workload = new LinkedHashMap<>();
    final Map<String, Integer> faults = new LinkedHashMap<>();

    Report(long seed, int minutes) {
        this.seed = seed;
        this.minutes = minutes;
    }

    void add(Invariant invariant) {
        invariants.add(invariant);
    }

    boolean passed() {
        return !invariants.isEmpty() && invariants.stream().allMatch(i -> i.violations().isEmpty());
    }

    long violations() {
        return invariants.stream().mapToLong(i -> i.violations().size()).sum();
    }

    /** The invariants as a table, a line each. */
    String table() {
        StringBuilder out = new StringBuilder(String.format("chaos soak, seed %d, %d min: %s%n", seed, minutes,
                passed() ? "every invariant held" : violations() + " violations"));
        for (Invariant invariant : invariants) {
            out.append(String.format("  %-28s checked %6d  violations %4d  %s%n", invariant.name(), invariant.checked(),
                    invariant.violations().size(), invariant.rule()));
            invariant.violations().stream().limit(EXAMPLES).forEach(v -> out.append("      ").append(v).append('\n'));
        }
        out.append("  workload ").append(workload).append('\n');
        out.append("  faults   ").append(faults).append('\n');
        return out.toString();
    }

    void write(Path file, Log log) {
        ObjectNode root = JSON.createObjectNode();
        root.put("seed", seed);
        root.put("minutes", minutes);
        root.put("passed", passed());
        root.put("violations", violations());
        ArrayNode list = root.putArray("invariants");
        for (Invariant invariant : invariants) {
            ObjectNode node = list.addObject();
            node.put("name", invariant.name());
            node.put("rule", invariant.rule());
            node.put("checked", invariant.checked());
            node.put("violations", invariant.violations().size());
            invariant.violations().forEach(node.putArray("examples")::add);
        }
        root.set("workload", JSON.valueToTree(workload));
        root.set("faults", JSON.valueToTree(faults));
        log.lines().forEach(root.putArray("log")::add);
        try {
            Files.createDirectories(file.getParent());
            JSON.writeValue(file.toFile(), root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
