package dev.skein.bench.sidebyside;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.Time;

/**
 * Skein and Apache Kafka 4.4.0 side by side: the same workloads, with the same load generator and JVM flags,
 * against each broker in turn, on this machine, in one run (see {@code bench/side-by-side.sh}, which builds what is
 * needed and passes Kafka's classpath). Each repetition starts every broker variant (Kafka, Skein, Skein in
 * durable-ack mode) once on a fresh directory, the order alternating between repetitions; before the first, each
 * broker is started once unmeasured so that builds and cold file caches do not count.
 *
 * <p>Writes {@code <timestamp>-side-by-side.md} and {@code .jsonl} to the results directory and prints the table.
 * Exit status: 0 when every cell completed, 1 when any failed (the table is written anyway), 2 for a bad command
 * line. Slow numbers never fail a run. A shutdown hook kills every broker still running.
 */
public final class SideBySide {
    private static final DateTimeFormatter FILE_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final int PRIME_TIMEOUT_S = 900;

    private final SideBySideOptions options;
    private final StartedProcesses processes;
    private final Time time;

    SideBySide(SideBySideOptions options, StartedProcesses processes, Time time) {
        this.options = options;
        this.processes = processes;
        this.time = time;
    }

    public static void main(String[] args) throws Exception {
        SideBySideOptions options;
        try {
            options = SideBySideOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        StartedProcesses processes = new StartedProcesses();
        Runtime.getRuntime().addShutdownHook(new Thread(processes::killAll, "side-by-side-cleanup"));
        int status = new SideBySide(options, processes, Time.SYSTEM).run();
        System.exit(status);
    }

    int run() throws IOException, InterruptedException {
        Instant started = Instant.ofEpochMilli(time.milliseconds());
        MachineInfo machine = MachineInfo.read();
        String loadBefore = MachineInfo.readLoadAverages();
        String classpath = Files.readString(options.kafkaClasspathFile(), StandardCharsets.UTF_8)
                .trim();
        JvmFlags flags = new JvmFlags(BrokerLauncher.JVM_FLAGS, options.jfrDir());
        if (options.jfrDir().isPresent()) {
            Files.createDirectories(options.jfrDir().get());
        }
        String javaHome = System.getProperty("java.home");
        String javaBin = Path.of(javaHome, "bin", "java").toString();
        List<BrokerLauncher> launchers = launchers(classpath);
        Measurements measurements = new Measurements();
        Cells.declareAll(measurements, options.latencyRate());
        PayloadPool payloads = PayloadPool.create(1000, 1024, 20_261_126L);
        BrokerSession session = new BrokerSession(options, measurements, payloads, clockTicksPerSecond(), time);
        Path work = Files.createTempDirectory("skein-side-by-side");
        try {
            for (BrokerLauncher launcher : launchers.subList(0, 2)) {
                prime(launcher, work.resolve("prime-" + launcher.variant()), payloads);
            }
            for (int rep = 1; rep <= options.repetitions(); rep++) {
                List<BrokerLauncher> order = new ArrayList<>(launchers);
                if (rep % 2 == 0) {
                    Collections.reverse(order);
                }
                for (BrokerLauncher launcher : order) {
                    Path dir = work.resolve(launcher.variant() + "-" + rep);
                    session.run(launcher, rep, dir);
                    deleteTree(dir.resolve("data"));
                }
            }
        } finally {
            if (measurements.failures().isEmpty()) {
                deleteTree(work);
            } else {
                System.err.println("Broker logs kept in " + work);
            }
        }
        RunInfo info = new RunInfo(
                started,
                Instant.ofEpochMilli(time.milliseconds()),
                machine,
                loadBefore,
                MachineInfo.readLoadAverages(),
                options.repetitions(),
                settings());
        writeResults(new ResultsReport(info, measurements), started);
        if (!measurements.failures().isEmpty()) {
            System.err.println(measurements.failures().size() + " cell(s) failed; see the table's last section");
            return 1;
        }
        return 0;
    }

    private void writeResults(ResultsReport report, Instant started) throws IOException {
        Files.createDirectories(options.resultsDir());
        String stamp = FILE_STAMP.format(started);
        Path markdown = options.resultsDir().resolve(stamp + "-side-by-side.md");
        Path jsonl = options.resultsDir().resolve(stamp + "-side-by-side.jsonl");
        Files.writeString(markdown, report.markdown(), StandardCharsets.UTF_8);
        Files.writeString(jsonl, report.jsonLines(), StandardCharsets.UTF_8);
        System.out.println(report.markdown());
        System.out.println("Written: " + markdown + " and " + jsonl);
    }

    /** Kafka, Skein and Skein in durable-ack mode, all on this JVM's JDK with the same flags. */
    private List<BrokerLauncher> launchers(String kafkaClasspath) {
        JvmFlags flags = new JvmFlags(BrokerLauncher.JVM_FLAGS, options.jfrDir());
        String javaHome = System.getProperty("java.home");
        String javaBin = Path.of(javaHome, "bin", "java").toString();
        return List.of(
                new KafkaLauncher(javaBin, kafkaClasspath, flags, processes, time),
                new SkeinLauncher(
                        ResultsReport.SKEIN, options.skeinLauncher(), javaHome, flags, List.of(), processes, time),
                new SkeinLauncher(
                        ResultsReport.SKEIN_DURABLE,
                        options.skeinLauncher(),
                        javaHome,
                        flags,
                        List.of("skein.durable.ack=true"),
                        processes,
                        time));
    }

    /** Starts a broker once, unmeasured, until its first acknowledged record (this may build Skein first). */
    private void prime(BrokerLauncher launcher, Path dir, PayloadPool payloads)
            throws IOException, InterruptedException {
        System.err.printf("[side-by-side] priming %s (unmeasured start; may build first)%n", launcher.variant());
        try (RunningBroker broker = launcher.start(dir)) {
            new FirstAckProbe(time).run(broker, payloads.get(0), PRIME_TIMEOUT_S);
        } catch (Exception e) {
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            throw new IOException("Could not start " + launcher.variant() + " for the unmeasured priming run", e);
        }
        deleteTree(dir.resolve("data"));
    }

    private List<String> settings() {
        return List.of(
                "brokers, one at a time, fresh data directories, 127.0.0.1: Apache Kafka 4.4.0 (KRaft combined mode,"
                        + " single node, `kafka.Kafka`, jars from Maven Central) and Skein (`./skein start`,"
                        + " embedded ZooKeeper); JVM flags for both: `" + BrokerLauncher.JVM_FLAGS + "`",
                "load generator: kafka-clients 4.4.0 in the harness JVM (same flags); 1,024-byte values from a pool"
                        + " of 1,000, each half random bytes and half zeros; batch.size 65536, linger.ms 5, no keys, enable.idempotence=false"
                        + " (Kafka 4.4.0 failed the 16-partition acks=all cells with OUT_OF_ORDER_SEQUENCE_NUMBER"
                        + " with it; see ClientConfigs)",
                String.format(
                        Locale.ROOT,
                        "produce cells: %,d measured records after %,d warm-up records, round-robin over the"
                                + " partitions; consume cells: the acks=1 uncompressed topic, read from the beginning"
                                + " with assign(), first %,d records not timed",
                        options.records(),
                        options.warmupRecords(),
                        options.warmupRecords()),
                String.format(
                        Locale.ROOT,
                        "latency: acks=all, no compression, 1 partition, %,d records/s for %d s warm-up + %d s"
                                + " measured, from the intended send time (coordinated-omission free)",
                        options.latencyRate(),
                        options.latencyWarmupSeconds(),
                        options.latencySeconds()),
                String.format(
                        Locale.ROOT,
                        "broker CPU: utime+stime of the broker process (/proc/PID/stat) over the measured window ÷"
                                + " GiB of record values; idle RSS: VmRSS %d s after the first ack; peak RSS: VmHWM"
                                + " at the end of the broker's run",
                        options.idleSeconds()),
                "order: odd repetitions Kafka, Skein, Skein durable-ack; even ones the reverse; each broker started"
                        + " once unmeasured before the first",
                "Skein durable-ack (`skein.durable.ack=true`: acks wait for a group-commit fdatasync) is compared"
                        + " with Kafka's default (no fsync) on the same workload");
    }

    private static long clockTicksPerSecond() throws IOException, InterruptedException {
        Process getconf = new ProcessBuilder("getconf", "CLK_TCK")
                .redirectErrorStream(true)
                .start();
        String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        if (!getconf.waitFor(10, TimeUnit.SECONDS) || getconf.exitValue() != 0) {
            throw new IOException("getconf CLK_TCK failed: " + out);
        }
        return Long.parseLong(out);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
