package dev.skein.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatsTest {

    @Test
    void cpuTicksAddUserAndSystemTime() {
        String stat = "4242 (java) S 1 4242 4242 0 -1 4194304 12345 0 7 0 1500 250 0 0 20 0 80 0 1234 0 0";

        assertThat(ProcStats.cpuTicks(stat)).isEqualTo(1750);
    }

    @Test
    void commandNameWithSpacesAndParenthesesDoesNotShiftFields() {
        String stat = "77 (my (odd) proc) R 1 77 77 0 -1 0 0 0 0 0 9 1 0 0 20 0 1 0 5 0 0";

        assertThat(ProcStats.cpuTicks(stat)).isEqualTo(10);
    }

    @Test
    void statusLinesGiveKib() {
        String status = "Name:\tjava\nVmPeak:\t 4000000 kB\nVmHWM:\t  454000 kB\nVmRSS:\t  379012 kB\nThreads:\t40\n";

        assertThat(ProcStats.statusKib(status, "VmRSS")).isEqualTo(379_012);
        assertThat(ProcStats.statusKib(status, "VmHWM")).isEqualTo(454_000);
    }

    @Test
    void missingStatusLineIsAnError() {
        assertThatThrownBy(() -> ProcStats.statusKib("Name:\tjava\n", "VmHWM"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("VmHWM");
        assertThatThrownBy(() -> ProcStats.cpuTicks("garbage")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cpuPerGiBDividesByGibibytes() {
        assertThat(BrokerCpu.perGiB(3.0, 512L * 1024 * 1024)).isEqualTo(6.0);
    }
}
