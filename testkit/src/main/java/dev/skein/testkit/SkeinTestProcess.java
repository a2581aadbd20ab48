package dev.skein.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Skein broker in its own JVM ({@link SkeinBrokerMain}, the test classpath, 512 MiB heap), for tests whose input
 * may take a broker down: a request that exhausts the heap then kills that process, not the test JVM. Its output goes
 * to {@code dir/skein.log}. {@link #close()} sends SIGTERM (a clean stop), then kills it after 30 s. {@link
 * LeakCheck} reports a process a test left running.
 */
public final class SkeinTestProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private SkeinTestProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the broker with its data under {@code dir} and returns once it prints {@code READY <port>}. */
    public static SkeinTestProcess start(Path dir, List<String> extraProps) throws IOException {
        Files.createDirectories(dir);
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-cp",
                System.getProperty("java.class.path"),
                SkeinBrokerMain.class.getName(),
                "listeners=PLAINTEXT://127.0.0.1:0",
                "log.dirs=" + dir.resolve("data"),
                "skein.zookeeper.embedded.port=0",
                "num.partitions=1",
                "offsets.topic.num.partitions=4"));
        command.addAll(extraProps);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Path log = dir.resolve("skein.log");
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            Files.writeString(
                    log, line + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            if (line.startsWith("READY ")) {
                int port = Integer.parseInt(line.substring(6).trim());
                Thread drain = new Thread(() -> copyRest(reader, log), "skein-process-output");
                drain.setDaemon(true);
                drain.start();
                return new SkeinTestProcess(process, port);
            }
        }
        throw new IOException("Skein broker process exited before it was ready; see " + log);
    }

    /** The Kafka port the process listens on. */
    public int port() {
        return port;
    }

    public boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void copyRest(BufferedReader reader, Path log) {
        try (var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND)) {
            String line;
            while ((line = reader.readLine()) != null) {
                out.write(line);
                out.newLine();
                out.flush();
            }
        } catch (IOException e) {
            // the process ended; its output is complete
        }
    }
}
