package dev.rebalancer.testing.infra;

/**
 * Lines the build log must show whatever logging framework the test JVM runs: which real servers the suite started
 * and where. Written to standard output, which Surefire copies into the build log.
 */
final class InfraLog {

    private InfraLog() {
    }

    static void say(String format, Object... args) {
        System.out.printf("[testing-infra] " + format + "%n", args);
    }
}
