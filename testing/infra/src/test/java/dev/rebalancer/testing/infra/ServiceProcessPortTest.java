package dev.rebalancer.testing.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Scanner;
import org.junit.jupiter.api.Test;

class ServiceProcessPortTest {

    /**
     * A port from the kernel's ephemeral range can be taken by any outgoing connection between the choice and the
     * service's bind ("port in use" in a CI run): service ports are chosen below it.
     */
    @Test
    void a_free_port_for_a_service_lies_below_the_kernels_ephemeral_range() throws IOException {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        int start = 32_768;
        if (Files.exists(range)) {
            try (Scanner scanner = new Scanner(range)) {
                start = scanner.nextInt();
            }
        }
        assertThat(ServiceProcess.ephemeralRangeStart()).isEqualTo(start);

        for (int i = 0; i < 20; i++) {
            assertThat(ServiceProcess.freePort()).isBetween(1024, start - 1);
        }
    }
}
