package dev.skein.devbroker;

import dev.skein.broker.Broker;
import dev.skein.broker.config.BrokerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Dev Services broker's child JVM: one Skein broker with its embedded ZooKeeper in a fresh temporary data
 * directory.
 *
 * <p>Arguments are {@code --name=value}: {@code port} (0 = a free one), {@code partitions} (of auto-created topics),
 * {@code parent-pid} (the JVM that started it) and optionally {@code registry} (a file to publish this broker in for
 * shared Dev Services, as Java properties: {@code pid}, {@code owner} (the parent), {@code bootstrap},
 * {@code partitions} and {@code distribution} (echoed from that argument); written atomically once the broker serves,
 * removed on exit).
 *
 * <p>Contract with the parent: exactly one line {@value #READY} followed by {@code host:port} on standard output once
 * the broker accepts connections (nothing else is written there; logs go to standard error). The process exits
 * (closing the broker, deleting its data directory and its registry entry) when its standard input reaches end of
 * file — which the operating system guarantees when the parent dies, even by {@code kill -9} — when the parent
 * process ends, or on SIGTERM.
 */
public final class DevBrokerMain {
    /** Prefix of the single line printed on standard output once the broker serves. */
    public static final String READY = "SKEIN-DEV-BROKER-READY ";

    private DevBrokerMain() {}

    public static void main(String[] args) throws IOException {
        long started = System.nanoTime();
        Map<String, String> options = options(args);
        Path dataDir = Files.createTempDirectory("skein-devservices");
        Optional<Path> registry = Optional.ofNullable(options.get("registry")).map(Path::of);
        Broker broker;
        try {
            broker = Broker.start(BrokerConfig.from(Map.of(
                    "listeners",
                    "PLAINTEXT://127.0.0.1:" + options.getOrDefault("port", "0"),
                    "log.dirs",
                    dataDir.toString(),
                    "skein.zookeeper.embedded.port",
                    "0",
                    "num.partitions",
                    options.getOrDefault("partitions", "1"))));
        } catch (IOException | RuntimeException e) {
            deleteTree(dataDir);
            throw e;
        }
        String bootstrap = "127.0.0.1:" + broker.port();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> stop(broker, dataDir, registry), "skein-dev-broker-stop"));
        if (registry.isPresent()) {
            publish(
                    registry.get(),
                    Map.of(
                            "pid", String.valueOf(ProcessHandle.current().pid()),
                            "owner", options.getOrDefault("parent-pid", ""),
                            "bootstrap", bootstrap,
                            "partitions", options.getOrDefault("partitions", "1"),
                            "distribution", options.getOrDefault("distribution", "")));
        }
        System.out.println(READY + bootstrap);
        System.out.flush();
        System.err.println("Skein Dev Services broker serving at " + bootstrap + " "
                + ManagementFactory.getRuntimeMXBean().getUptime()
                + " ms after its JVM started (broker start-up "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)
                + " ms)");
        String parentPid = options.get("parent-pid");
        if (parentPid != null) {
            ProcessHandle.of(Long.parseLong(parentPid))
                    .ifPresentOrElse(parent -> parent.onExit().thenRun(() -> System.exit(0)), () -> System.exit(0));
        }
        awaitEndOfInput(System.in);
        System.exit(0);
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (!arg.startsWith("--") || eq < 0) {
                throw new IllegalArgumentException("Expected --name=value, got " + arg);
            }
            options.put(arg.substring(2, eq), arg.substring(eq + 1));
        }
        return options;
    }

    /** Reads (and discards) standard input until the parent closes it or dies. */
    private static void awaitEndOfInput(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // the parent never writes; anything it does write is ignored
            }
        } catch (IOException e) {
            // a broken pipe means the same as end of input: the parent is gone
        }
    }

    private static void publish(Path registry, Map<String, String> values) throws IOException {
        StringBuilder entry = new StringBuilder();
        values.forEach(
                (key, value) -> entry.append(key).append('=').append(value).append('\n'));
        Files.createDirectories(registry.toAbsolutePath().getParent());
        Path temp = Files.createTempFile(registry.toAbsolutePath().getParent(), "registry", ".tmp");
        Files.writeString(temp, entry, StandardCharsets.UTF_8);
        Files.move(temp, registry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void stop(Broker broker, Path dataDir, Optional<Path> registry) {
        registry.ifPresent(DevBrokerMain::unpublish);
        broker.close();
        deleteTree(dataDir);
    }

    /** Removes the registry entry only while it still names this process (a successor may have replaced it). */
    private static void unpublish(Path registry) {
        try {
            String pidLine = "pid=" + ProcessHandle.current().pid();
            if (Files.exists(registry)
                    && Files.readAllLines(registry, StandardCharsets.UTF_8).contains(pidLine)) {
                Files.deleteIfExists(registry);
            }
        } catch (IOException e) {
            System.err.println("Could not remove the Dev Services registry entry " + registry + ": " + e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete the Dev Services data directory " + root, e);
        }
    }
}
