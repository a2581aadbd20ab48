package dev.skein.broker.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Apache Kafka 4.4 as a single-node KRaft subprocess (broker and controller in one JVM, 127.0.0.1, two free ports,
 * storage formatted fresh in the given directory), the reference the differential tests compare Skein with.
 *
 * <p>Kafka's server jars are not Skein dependencies: the classpath comes from the system property
 * {@value #CLASSPATH_PROPERTY}, either a classpath string or a file holding one (what {@code mvn
 * dependency:build-classpath} writes for {@code bench/kafka-reference/pom.xml}; the core pom points the property at
 * {@code bench/target/kafka.classpath}, which {@code .ci/run} and {@code bench/side-by-side.sh} resolve). When it is
 * missing the calling test is skipped locally and fails when the environment variable {@code CI} is {@code true}.
 */
final class KafkaReference implements AutoCloseable {
    static final String CLASSPATH_PROPERTY = "skein.kafka.classpath";
    private static final long FORMAT_TIMEOUT_S = 120;

    private final Process process;
    private final int port;
    private final Path dir;

    private KafkaReference(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * The Kafka 4.4 classpath, or the test aborts (skipped) with the reason; under {@code CI=true} a missing classpath
     * is an {@link AssertionError} instead, so CI cannot silently stop comparing.
     */
    static String requireClasspath() throws IOException {
        String configured = System.getProperty(CLASSPATH_PROPERTY, "").trim();
        String reason = null;
        String classpath = null;
        if (configured.isEmpty() || configured.startsWith("${")) {
            reason = "system property " + CLASSPATH_PROPERTY + " is not set";
        } else if (configured.contains(java.io.File.pathSeparator) || configured.endsWith(".jar")) {
            classpath = configured;
        } else if (Files.isRegularFile(Path.of(configured))) {
            classpath = Files.readString(Path.of(configured), StandardCharsets.UTF_8)
                    .trim();
        } else {
            reason = CLASSPATH_PROPERTY + "=" + configured + " does not exist; resolve it with: mvn -f "
                    + "bench/kafka-reference/pom.xml dependency:build-classpath "
                    + "-Dmdep.outputFile=bench/target/kafka.classpath";
        }
        if (classpath != null && classpath.isEmpty()) {
            reason = CLASSPATH_PROPERTY + "=" + configured + " is empty";
        }
        if (reason != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("Apache Kafka 4.4 reference classpath missing under CI: " + reason);
            }
            Assumptions.abort("Apache Kafka 4.4 reference not available (" + reason + ")");
        }
        return classpath;
    }

    /** Formats {@code dir} and starts Kafka; returns once the process is launched (not yet serving). */
    static KafkaReference start(String classpath, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = freePort();
        int controllerPort = freePort();
        while (controllerPort == port) {
            controllerPort = freePort();
        }
        Path properties = dir.resolve("server.properties");
        Files.writeString(properties, serverProperties(dir.resolve("data"), port, controllerPort));
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, log4jProperties(dir.resolve("kafka-server.log")));

        List<String> format = java(classpath, log4j, dir);
        format.addAll(List.of(
                "kafka.tools.StorageTool", "format", "-t", UUID.randomUUID().toString(), "-c", properties.toString()));
        Process formatting = new ProcessBuilder(format)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("format.log").toFile())
                .start();
        if (!formatting.waitFor(FORMAT_TIMEOUT_S, TimeUnit.SECONDS) || formatting.exitValue() != 0) {
            formatting.destroyForcibly();
            throw new IOException("Kafka StorageTool format failed: " + Files.readString(dir.resolve("format.log")));
        }
        List<String> server = java(classpath, log4j, dir);
        server.addAll(List.of("kafka.Kafka", properties.toString()));
        Process process = new ProcessBuilder(server)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile())
                .start();
        return new KafkaReference(process, port, dir);
    }

    int port() {
        return port;
    }

    Path dir() {
        return dir;
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> java(String classpath, Path log4j, Path dir) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true"));
        command.add("-Dlog4j2.configurationFile=" + log4j);
        command.add("-Dkafka.logs.dir=" + dir);
        command.add("-cp");
        command.add(classpath);
        return command;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String serverProperties(Path dataDir, int port, int controllerPort) {
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
                "offsets.topic.num.partitions=4",
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
