package dev.skein.bench.sidebyside;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Linux {@code /proc} figures of one process: CPU time (user + system, in clock ticks, from {@code /proc/PID/stat})
 * and resident memory (current {@code VmRSS} and peak {@code VmHWM}, in KiB, from {@code /proc/PID/status}). The
 * parse methods are pure; the read methods do the IO.
 */
final class ProcStats {
    private ProcStats() {}

    /** {@code utime + stime} of a {@code /proc/PID/stat} line, in clock ticks. */
    static long cpuTicks(String statLine) {
        // The command name (field 2) is in parentheses and may contain spaces or ')': fields count from the last ')'.
        int end = statLine.lastIndexOf(')');
        if (end < 0) {
            throw new IllegalArgumentException("Not a /proc/PID/stat line: " + statLine);
        }
        String[] fields = statLine.substring(end + 1).trim().split("\\s+");
        // After the name: state(3) ppid(4) pgrp(5) session(6) tty_nr(7) tpgid(8) flags(9) minflt(10) cminflt(11)
        // majflt(12) cmajflt(13) utime(14) stime(15); fields[0] is field 3.
        if (fields.length < 13) {
            throw new IllegalArgumentException("Too few fields in /proc/PID/stat line: " + statLine);
        }
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** The value in KiB of a {@code Name:   123 kB} line of {@code /proc/PID/status}. */
    static long statusKib(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                String value = line.substring(name.length() + 1).trim();
                if (!value.endsWith("kB")) {
                    throw new IllegalArgumentException("Unexpected unit in '" + line + "'");
                }
                return Long.parseLong(value.substring(0, value.length() - 2).trim());
            }
        }
        throw new IllegalArgumentException("No " + name + " line in /proc status");
    }

    static long readCpuTicks(long pid) throws IOException {
        return cpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII));
    }

    static long readRssKib(long pid) throws IOException {
        return statusKib(readStatus(pid), "VmRSS");
    }

    static long readPeakRssKib(long pid) throws IOException {
        return statusKib(readStatus(pid), "VmHWM");
    }

    private static String readStatus(long pid) throws IOException {
        return Files.readString(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8);
    }
}
