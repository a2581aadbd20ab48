package dev.skein.connector.deployment;

import io.quarkus.deployment.builditem.Startable;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.jboss.logging.Logger;

/**
 * The Dev Services broker: a child JVM running {@code DevBrokerMain} on the {@link DevBrokerDistribution}'s class
 * path — so the broker's kafka-clients and the application's never share a class loader — or, in shared mode, a live
 * broker another JVM published in the {@link SharedBrokerRegistry}.
 *
 * <p>A started child lives until {@link #close()} or until this JVM dies: it holds a pipe to this JVM as standard
 * input and exits at its end of file, deleting its data directory. Its log goes to
 * {@code <java.io.tmpdir>/skein-devservices/<service-name>-<pid>.log}. Not thread-safe: Quarkus starts and closes it
 * from one thread.
 */
final class DevBrokerProcess implements Startable {
    private static final Logger log = Logger.getLogger(DevBrokerProcess.class);
    static final Path STATE_DIR = Path.of(System.getProperty("java.io.tmpdir"), "skein-devservices");
    private static final long START_TIMEOUT_SECONDS = 60;

    private final DevBrokerSettings settings;
    private final Path stateDir;
    private Process child;
    private String bootstrap;

    DevBrokerProcess(DevBrokerSettings settings) {
        this(settings, STATE_DIR);
    }

    DevBrokerProcess(DevBrokerSettings settings, Path stateDir) {
        this.settings = settings;
        this.stateDir = stateDir;
    }

    @Override
    public void start() {
        long started = System.nanoTime();
        DevBrokerDistribution distribution =
                DevBrokerDistribution.extract(DevBrokerProcess.class.getClassLoader(), stateDir.resolve("dist"));
        SharedBrokerRegistry registry = new SharedBrokerRegistry(stateDir, settings.serviceName());
        if (!settings.shared()) {
            launch(distribution, Optional.empty());
        } else {
            registry.locked(() -> {
                Optional<String> running = registry.liveBroker(distribution.sha256(), settings);
                running.ifPresentOrElse(
                        address -> bootstrap = address, () -> launch(distribution, Optional.of(registry)));
                return null;
            });
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        if (child == null) {
            log.infof(
                    "Dev Services for Skein: reusing the shared broker '%s' at %s (started by another application)",
                    settings.serviceName(), bootstrap);
        } else {
            log.infof(
                    "Dev Services for Skein: broker started at %s in %d ms (child JVM pid %d%s; log %s)",
                    bootstrap,
                    millis,
                    child.pid(),
                    settings.shared() ? ", shared as '" + settings.serviceName() + "'" : "",
                    logFile(child.pid()));
        }
    }

    private void launch(DevBrokerDistribution distribution, Optional<SharedBrokerRegistry> registry) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xss512k",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                String.join(
                        java.io.File.pathSeparator,
                        distribution.classPath().stream().map(Path::toString).toList()),
                DevBrokerDistribution.MAIN_CLASS,
                "--port=" + settings.port(),
                "--partitions=" + settings.partitions(),
                "--parent-pid=" + ProcessHandle.current().pid()));
        registry.ifPresent(r -> {
            command.add("--registry=" + r.entry());
            command.add("--distribution=" + distribution.sha256());
        });
        Path pendingLog = stateDir.resolve(settings.serviceName() + "-starting-" + System.nanoTime() + ".log");
        try {
            Files.createDirectories(stateDir);
            child = new ProcessBuilder(command)
                    .redirectError(pendingLog.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.PIPE)
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("Dev Services could not start the Skein broker JVM: " + command, e);
        }
        bootstrap = awaitReady(child, pendingLog);
        try {
            Files.move(pendingLog, logFile(child.pid()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.debugf(e, "Could not rename %s", pendingLog);
        }
    }

    /** Reads the child's single ready line; on failure kills it and reports the end of its log. */
    private static String awaitReady(Process process, Path logFile) {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                BufferedReader out =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            String ready = line.get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (ready != null && ready.startsWith(READY)) {
                return ready.substring(READY.length()).trim();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the Dev Services broker", e);
        } catch (ExecutionException | TimeoutException e) {
            // reported below with the broker's log
        }
        process.destroyForcibly();
        throw new IllegalStateException("The Dev Services broker did not start within " + START_TIMEOUT_SECONDS
                + " s; the end of its log (" + logFile + "):\n" + tail(logFile));
    }

    /** The child's ready-line prefix ({@code DevBrokerMain.READY}; the class itself is not on this class path). */
    static final String READY = "SKEIN-DEV-BROKER-READY ";

    private Path logFile(long pid) {
        return stateDir.resolve(settings.serviceName() + "-" + pid + ".log");
    }

    private static String tail(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Override
    public String getConnectionInfo() {
        return bootstrap;
    }

    /** The child's pid, or empty when this broker is another JVM's shared one. */
    Optional<Long> childPid() {
        return Optional.ofNullable(child).map(Process::pid);
    }

    /**
     * Creates the {@code topics} (name to partitions) the broker does not have yet, then returns the bootstrap
     * address. Called for every application that uses this broker, so a reused broker gets each new app's topics. Uses
     * the application's own kafka-clients through its public Admin API only.
     */
    String bootstrapFor(Map<String, Integer> topics) {
        if (!topics.isEmpty()) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
                List<NewTopic> missing = topics.entrySet().stream()
                        .filter(topic -> !existing.contains(topic.getKey()))
                        .map(topic -> new NewTopic(topic.getKey(), topic.getValue(), (short) 1))
                        .toList();
                admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while creating Dev Services topics " + topics, e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("Dev Services could not create topics " + topics, e);
            }
        }
        return bootstrap;
    }

    @Override
    public String getContainerId() {
        return null;
    }

    /** Stops the child (SIGTERM, so it deletes its data; forcibly after 10 s); a borrowed shared broker is left alone. */
    @Override
    public void close() {
        if (child == null) {
            return;
        }
        child.destroy();
        try {
            if (!child.waitFor(10, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            child = null;
        }
    }
}
