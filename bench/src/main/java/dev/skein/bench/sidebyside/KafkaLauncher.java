package dev.skein.bench.sidebyside;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * Apache Kafka 4.4.0 as a single node in KRaft combined mode ({@code process.roles=broker,controller}, a static
 * one-voter quorum), on 127.0.0.1 with two free ports. Each start formats a fresh storage directory with
 * {@code kafka.tools.StorageTool format} (not timed), then runs {@code kafka.Kafka server.properties} with the
 * given JVM flags and log4j2 at WARN into {@code dir/kafka-server.log}. Internal topics get replication factor 1.
 */
final class KafkaLauncher implements BrokerLauncher {
    private static final long FORMAT_TIMEOUT_S = 120;

    private final String javaBin;
    private final String classpath;
    private final JvmFlags jvmFlags;
    private final StartedProcesses registry;
    private final Time time;

    KafkaLauncher(String javaBin, String classpath, JvmFlags jvmFlags, StartedProcesses registry, Time time) {
        this.javaBin = javaBin;
        this.classpath = classpath;
        this.jvmFlags = jvmFlags;
        this.registry = registry;
        this.time = time;
    }

    @Override
    public String variant() {
        return ResultsReport.KAFKA;
    }

    @Override
    public RunningBroker start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = FreePorts.next();
        int controllerPort = FreePorts.next();
        while (controllerPort == port) {
            controllerPort = FreePorts.next();
        }
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, serverProperties(dir.resolve("data"), port, controllerPort));
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, log4jProperties(dir.resolve("kafka-server.log")));
        format(dir, properties);

        List<String> command = java(jvmFlags.forBroker(variant(), dir), log4j, dir);
        command.add("kafka.Kafka");
        command.add(properties.toString());
        Path output = dir.resolve("stdout.log");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
        long launch = time.nanoseconds();
        Process process = builder.start();
        registry.add(process);
        return new RunningBroker(variant(), process, "127.0.0.1", port, launch, output, registry);
    }

    private void format(Path dir, Path properties) throws IOException, InterruptedException {
        List<String> command = java("-Xmx256m", dir.resolve("log4j2.properties"), dir);
        command.addAll(List.of(
                "kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", properties.toString()));
        Path output = dir.resolve("format.log");
        Process format = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        registry.add(format);
        try {
            if (!format.waitFor(FORMAT_TIMEOUT_S, TimeUnit.SECONDS)) {
                format.destroyForcibly();
                throw new IOException("Kafka's StorageTool format did not finish within " + FORMAT_TIMEOUT_S + " s");
            }
            if (format.exitValue() != 0) {
                throw new IOException("Kafka's StorageTool format failed (exit " + format.exitValue() + "): "
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
        } finally {
            registry.remove(format);
        }
    }

    private List<String> java(String flags, Path log4j, Path dir) {
        List<String> command = new ArrayList<>();
        command.add(javaBin);
        command.addAll(Arrays.asList(flags.trim().split("\\s+")));
        command.add("-Dlog4j2.configurationFile=" + log4j);
        command.add("-Dkafka.logs.dir=" + dir);
        command.add("-cp");
        command.add(classpath);
        return command;
    }

    static String serverProperties(Path dataDir, int port, int controllerPort) {
        return String.join(
                "\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dataDir,
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "");
    }

    private static String log4jProperties(Path logFile) {
        return String.join(
                "\n",
                "rootLogger.level = WARN",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = " + logFile,
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = [%d] %p %m (%c)%n",
                "");
    }
}
