package dev.skein.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A client program (kcat, node, a Kafka CLI tool in its own JVM) run as a child process, so that its exit code and
 * its {@code System.exit} calls stay out of the test JVM. Standard output and error go to files in a test
 * directory, readable at any time while the process runs; standard input is a file or nothing. {@link #close()}
 * stops the process if it still runs (SIGTERM, then SIGKILL after a bounded grace period). Not thread-safe.
 */
final class ExternalProcess implements AutoCloseable {
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final File NO_INPUT = new File("/dev/null");

    private final List<String> command;
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ExternalProcess(List<String> command, Process process, Path stdout, Path stderr) {
        this.command = command;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code command} with no standard input; output files are {@code <name>.out/.err} in {@code dir}. */
    static ExternalProcess start(Path dir, String name, List<String> command) throws IOException {
        return start(dir, name, command, null);
    }

    /** As {@link #start(Path, String, List)}, with standard input read from {@code stdin} when not null. */
    static ExternalProcess start(Path dir, String name, List<String> command, Path stdin) throws IOException {
        Files.createDirectories(dir);
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(stdin == null ? NO_INPUT : stdin.toFile()));
        return new ExternalProcess(List.copyOf(command), builder.start(), out, err);
    }

    /** Runs {@code command} to completion within {@code timeout}, failing the test if it does not finish. */
    static ProcessResult run(Path dir, String name, Duration timeout, List<String> command, Path stdin)
            throws IOException, InterruptedException {
        try (ExternalProcess process = start(dir, name, command, stdin)) {
            return process.awaitExit(timeout);
        }
    }

    /** Waits up to {@code timeout} for the process to exit; fails the test (and kills it) if it does not. */
    ProcessResult awaitExit(Duration timeout) throws InterruptedException {
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
        assertThat(exited)
                .as("%s finished within %s; stderr:%n%s", command, timeout, stderr())
                .isTrue();
        return new ProcessResult(process.exitValue(), stdout(), stderr());
    }

    /** Whether the process still runs. */
    boolean alive() {
        return process.isAlive();
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the process at once (SIGKILL, as {@code kill -9}) and waits a bounded time for it to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends SIGTERM and waits a bounded time for the exit, then kills the process. */
    @Override
    public void close() throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** What a finished process left: exit code and both output streams. */
    record ProcessResult(int exitCode, String stdout, String stderr) {
        List<String> stdoutLines() {
            return stdout.lines().toList();
        }
    }
}
