package dev.skein.bench.sidebyside;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A broker JVM launched by the harness: its process, where clients connect, when it was launched (harness
 * {@code System.nanoTime}) and where its output goes. {@link #close()} stops it: SIGTERM, then SIGKILL if it has not
 * exited within 60 s.
 */
final class RunningBroker implements AutoCloseable {
    private static final long STOP_TIMEOUT_S = 60;

    private final String variant;
    private final Process process;
    private final String host;
    private final int port;
    private final long launchNanos;
    private final Path output;
    private final StartedProcesses registry;

    RunningBroker(
            String variant,
            Process process,
            String host,
            int port,
            long launchNanos,
            Path output,
            StartedProcesses registry) {
        this.variant = variant;
        this.process = process;
        this.host = host;
        this.port = port;
        this.launchNanos = launchNanos;
        this.output = output;
        this.registry = registry;
    }

    String variant() {
        return variant;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    String bootstrap() {
        return host + ":" + port;
    }

    long launchNanos() {
        return launchNanos;
    }

    /** The last {@code lines} lines the broker printed, for failure messages. */
    String outputTail(int lines) {
        try {
            List<String> all = Files.readAllLines(output, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + output + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        try {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS)) {
                System.err.printf(
                        "%s (pid %d) did not stop within %d s of SIGTERM; killing it%n",
                        variant, pid(), STOP_TIMEOUT_S);
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS);
            }
        } finally {
            registry.remove(process);
        }
    }
}
