package dev.skein.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Time;

/**
 * Skein as users start it: {@code ./skein start} (the Quarkus server with its embedded ZooKeeper on a free port),
 * Kafka listener on 127.0.0.1 and the admin HTTP port both free ports, data under {@code dir/data}. The JVM
 * options go through the launcher's {@code JAVA_OPTS} (replacing its small-footprint defaults) and the JDK through
 * {@code JAVA_HOME}, so Skein runs on the harness's JDK with the same flags as Kafka. The launcher {@code exec}s the
 * JVM, so the process's pid is the broker JVM's. {@code extraSettings} are broker keys ({@code key=value}) passed
 * with {@code --set}, e.g. {@code skein.durable.ack=true}.
 */
final class SkeinLauncher implements BrokerLauncher {
    private final String variant;
    private final Path launcher;
    private final String javaHome;
    private final JvmFlags jvmFlags;
    private final List<String> extraSettings;
    private final StartedProcesses registry;
    private final Time time;

    SkeinLauncher(
            String variant,
            Path launcher,
            String javaHome,
            JvmFlags jvmFlags,
            List<String> extraSettings,
            StartedProcesses registry,
            Time time) {
        this.variant = variant;
        this.launcher = launcher;
        this.javaHome = javaHome;
        this.jvmFlags = jvmFlags;
        this.extraSettings = List.copyOf(extraSettings);
        this.registry = registry;
        this.time = time;
    }

    @Override
    public String variant() {
        return variant;
    }

    @Override
    public RunningBroker start(Path dir) throws IOException {
        Files.createDirectories(dir);
        int port = FreePorts.next();
        int adminPort = FreePorts.next();
        while (adminPort == port) {
            adminPort = FreePorts.next();
        }
        List<String> command = new ArrayList<>(List.of(
                launcher.toAbsolutePath().toString(),
                "start",
                "--data-dir",
                dir.resolve("data").toString(),
                "--admin-port",
                Integer.toString(adminPort),
                "--set",
                "listeners=PLAINTEXT://127.0.0.1:" + port,
                "--set",
                "skein.zookeeper.embedded.port=0"));
        for (String setting : extraSettings) {
            command.add("--set");
            command.add(setting);
        }
        Path output = dir.resolve("stdout.log");
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("JAVA_OPTS", jvmFlags.forBroker(variant, dir));
        builder.environment().put("JAVA_HOME", javaHome);
        long launch = time.nanoseconds();
        Process process = builder.start();
        registry.add(process);
        return new RunningBroker(variant, process, "127.0.0.1", port, launch, output, registry);
    }
}
