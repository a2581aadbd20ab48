package dev.skein.bench.sidebyside;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the results were measured on: core count, CPU model, RAM, kernel and JDK, read once at the start of a run
 * (the brokers use the same {@code java} as the harness). Load averages are read separately before and after. The
 * parse methods are pure.
 */
record MachineInfo(int cores, String cpuModel, long ramKib, String kernel, String jdk) {

    static MachineInfo read() throws IOException {
        return new MachineInfo(
                Runtime.getRuntime().availableProcessors(),
                cpuModel(readProc("cpuinfo")),
                ProcStats.statusKib(readProc("meminfo"), "MemTotal"),
                readProc("sys/kernel/osrelease").trim(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    }

    /** The first {@code model name} of {@code /proc/cpuinfo}, or "unknown" (e.g. on some ARM kernels). */
    static String cpuModel(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            if (line.startsWith("model name")) {
                int colon = line.indexOf(':');
                return line.substring(colon + 1).trim();
            }
        }
        return "unknown";
    }

    /** The 1-, 5- and 15-minute load averages of a {@code /proc/loadavg} line, as printed there. */
    static String loadAverages(String loadavg) {
        String[] fields = loadavg.trim().split("\\s+");
        if (fields.length < 3) {
            throw new IllegalArgumentException("Not a /proc/loadavg line: " + loadavg);
        }
        return fields[0] + " " + fields[1] + " " + fields[2];
    }

    static String readLoadAverages() throws IOException {
        return loadAverages(readProc("loadavg"));
    }

    String describe() {
        return String.format(
                Locale.ROOT,
                "%d cores (%s), %.1f GiB RAM, Linux %s, %s",
                cores,
                cpuModel,
                ramKib / (1024.0 * 1024.0),
                kernel,
                jdk);
    }

    private static String readProc(String name) throws IOException {
        return Files.readString(Path.of("/proc", name), StandardCharsets.UTF_8);
    }
}
