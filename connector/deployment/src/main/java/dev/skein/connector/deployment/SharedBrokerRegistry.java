package dev.skein.connector.deployment;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * Where shared Dev Services brokers are published so that other applications and test runs on this machine find and
 * reuse them, like Quarkus's shared container Dev Services. One entry per service name:
 * {@code <dir>/<service-name>.properties} with {@code pid}, {@code owner} (the JVM that started it),
 * {@code bootstrap}, {@code distribution} (the broker build's SHA-256) and the settings it was started with. The
 * broker process writes its entry once it serves and removes it when it exits.
 *
 * <p>An entry counts only if its process is alive, its port accepts a connection, it runs the same broker build with
 * the same settings, and it was not started by the asking JVM (whose own brokers Quarkus manages directly).
 * {@link #locked(Supplier)} serialises find-or-start between JVMs with a file lock.
 */
final class SharedBrokerRegistry {
    private final Path dir;
    private final String serviceName;

    SharedBrokerRegistry(Path dir, String serviceName) {
        this.dir = dir;
        this.serviceName = serviceName;
    }

    /** The entry file a broker started for this service publishes itself in. */
    Path entry() {
        return dir.resolve(serviceName + ".properties");
    }

    /** Runs {@code action} holding this service's lock, so two JVMs never both start a shared broker. */
    <T> T locked(Supplier<T> action) {
        try {
            Files.createDirectories(dir);
            try (FileChannel channel = FileChannel.open(
                            dir.resolve(serviceName + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                return action.get();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not lock the Dev Services registry in " + dir, e);
        }
    }

    /** A live broker published for this service that was started with {@code settings}, if there is one. */
    Optional<String> liveBroker(String distribution, DevBrokerSettings settings) {
        Properties entry = new Properties();
        try (Reader reader = Files.newBufferedReader(entry(), StandardCharsets.UTF_8)) {
            entry.load(reader);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read the Dev Services registry entry " + entry(), e);
        }
        String bootstrap = entry.getProperty("bootstrap", "");
        try {
            boolean matches = distribution.equals(entry.getProperty("distribution"))
                    && settings.partitions() == Integer.parseInt(entry.getProperty("partitions", "-1"))
                    && (settings.port() == 0 || bootstrap.endsWith(":" + settings.port()))
                    && !String.valueOf(ProcessHandle.current().pid()).equals(entry.getProperty("owner"));
            if (!matches || !alive(Long.parseLong(entry.getProperty("pid", "-1"))) || !accepts(bootstrap)) {
                return Optional.empty();
            }
        } catch (NumberFormatException e) {
            // a damaged entry names no usable broker; the next broker started overwrites it
            return Optional.empty();
        }
        return Optional.of(bootstrap);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static boolean accepts(String bootstrap) {
        int colon = bootstrap.lastIndexOf(':');
        if (colon < 0) {
            return false;
        }
        try (Socket socket = new Socket()) {
            socket.connect(
                    new InetSocketAddress(
                            bootstrap.substring(0, colon), Integer.parseInt(bootstrap.substring(colon + 1))),
                    1000);
            return true;
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }
}
