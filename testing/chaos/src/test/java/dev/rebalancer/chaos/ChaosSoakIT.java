package dev.rebalancer.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rebalancer.testing.infra.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Three minutes of the soak, with a fixed seed, on every build: the workload under every kind of fault, and every
 * invariant at zero violations. The long run ({@code testing/chaos/run.sh --minutes 30}) is the same code.
 */
class ChaosSoakIT {

    static final long SEED = 20261203;

    @Test
    void three_minutes_of_faults_break_no_invariant() throws Exception {
        Path dir = ServiceProcess.repositoryRoot().resolve("testing/chaos/target/soak");
        Report report = Chaos.run(new Chaos.Options(Duration.ofMinutes(3), SEED, dir, Duration.ofMinutes(4)));

        System.out.print(report.table());
        assertThat(report.invariants).extracting(Report.Invariant::name).contains("deposits_invested", "orders_once",
                "cash_never_negative", "runs_final", "dead_letters");
        assertThat(report.invariants).allSatisfy(invariant -> assertThat(invariant.checked())
                .as("%s checked something", invariant.name()).isPositive());
        assertThat(report.violations()).as(report.table()).isZero();
        JsonNode written = new ObjectMapper().readTree(dir.resolve("report.json").toFile());
        assertThat(written.get("passed").asBoolean()).isTrue();
        assertThat(written.get("seed").asLong()).isEqualTo(SEED);
    }
}
