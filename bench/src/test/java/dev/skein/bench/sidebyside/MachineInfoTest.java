package dev.skein.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MachineInfoTest {

    @Test
    void cpuModelIsTheFirstModelNameLine() {
        String cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n\n"
                + "processor\t: 1\nmodel name\t: AMD EPYC 7B13\n";

        assertThat(MachineInfo.cpuModel(cpuinfo)).isEqualTo("AMD EPYC 7B13");
        assertThat(MachineInfo.cpuModel("processor\t: 0\n")).isEqualTo("unknown");
    }

    @Test
    void loadAveragesAreTheFirstThreeFields() {
        assertThat(MachineInfo.loadAverages("0.27 0.39 0.71 2/345 12345\n")).isEqualTo("0.27 0.39 0.71");
    }

    @Test
    void describeNamesCoresRamKernelAndJdk() {
        MachineInfo info = new MachineInfo(2, "AMD EPYC", 24L * 1024 * 1024, "6.18.1", "OpenJDK 17.0.15");

        assertThat(info.describe()).isEqualTo("2 cores (AMD EPYC), 24.0 GiB RAM, Linux 6.18.1, OpenJDK 17.0.15");
    }
}
