package dev.skein.bench.sidebyside;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * CPU time (user + system) of one broker process, from {@code /proc/PID/stat}; {@code ticksPerSecond} is
 * {@code getconf CLK_TCK}. Any thread may call {@link #seconds()}.
 */
record BrokerCpu(long pid, long ticksPerSecond) {

    double seconds() {
        try {
            return ProcStats.readCpuTicks(pid) / (double) ticksPerSecond;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the CPU time of broker pid " + pid, e);
        }
    }

    /** CPU seconds per GiB of record values: {@code cpuSeconds} spent while {@code bytes} were moved. */
    static double perGiB(double cpuSeconds, long bytes) {
        return cpuSeconds / (bytes / (1024.0 * 1024.0 * 1024.0));
    }
}
