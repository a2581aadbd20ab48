package dev.skein.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves a broker behind: {@code @ExtendWith(LeakCheck.class)} compares, after the class's
 * last test, what the JVM holds with what it held before the first:
 * <ul>
 *   <li>threads: broker threads ({@code skein-*}) and ZooKeeper/Curator threads started during the class and still
 *       alive;
 *   <li>files: open descriptors on log segments, indexes, snapshots and broker state ({@code /proc/self/fd}; skipped
 *       where the system has no {@code /proc});
 *   <li>ports: Kafka ports of {@link SkeinTestBroker}s closed during the class that still accept connections.
 * </ul>
 * Shutdown is asynchronous in places (executor threads finish their task), so each check polls for up to {@value
 * #GRACE_MS} ms before it fails.
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
    static final long GRACE_MS = 10_000;
    private static final Pattern BROKER_THREAD =
            Pattern.compile("skein-.*|.*-EventThread|.*-SendThread.*|Curator-.*|NIOServerCxnFactory.*|SessionTracker"
                    + "|SyncThread.*|ProcessThread.*|NIOWorkerThread.*|ConnnectionExpirer.*");
    private static final Pattern BROKER_FILE =
            Pattern.compile(".*\\.(log|index|timeindex|snapshot|db|txnindex)(\\.(deleted|cleaned|swap))?$");
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LeakCheck.class);

    /** What the JVM held at one moment. */
    record Snapshot(Set<Long> threadIds, Set<String> files, int closedPortsBefore) {}

    static Snapshot snapshot() {
        return new Snapshot(
                threadIds(), openFiles(), SkeinTestBroker.closedPorts().size());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put("before", snapshot());
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        Snapshot before = context.getStore(NAMESPACE).get("before", Snapshot.class);
        List<String> leaks = List.of();
        long deadline = System.nanoTime() + GRACE_MS * 1_000_000;
        while (true) {
            leaks = leaks(before);
            if (leaks.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(100);
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError(context.getDisplayName() + " leaked: " + String.join("; ", leaks));
        }
    }

    /** What was started or opened since {@code before} and is still alive, open or listening. */
    static List<String> leaks(Snapshot before) {
        List<String> leaks = new ArrayList<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.isAlive()
                    && !before.threadIds().contains(thread.getId())
                    && BROKER_THREAD.matcher(thread.getName()).matches()) {
                leaks.add("thread " + thread.getName());
            }
        }
        for (String file : openFiles()) {
            if (!before.files().contains(file)) {
                leaks.add("open file " + file);
            }
        }
        List<Integer> closed = SkeinTestBroker.closedPorts();
        for (int port : closed.subList(before.closedPortsBefore(), closed.size())) {
            if (!SkeinTestBroker.runningPorts().contains(port) && accepts(port)) {
                leaks.add("port " + port + " still accepts connections after its broker closed");
            }
        }
        return leaks;
    }

    private static Set<Long> threadIds() {
        Set<Long> ids = new HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            ids.add(thread.getId());
        }
        return ids;
    }

    /** Broker data files this process holds open, from {@code /proc/self/fd}; empty where there is none. */
    static Set<String> openFiles() {
        Path fds = Path.of("/proc/self/fd");
        Set<String> files = new HashSet<>();
        if (!Files.isDirectory(fds)) {
            return files;
        }
        try (Stream<Path> entries = Files.list(fds)) {
            for (Path fd : entries.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (BROKER_FILE.matcher(target).matches()) {
                        files.add(target);
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        } catch (IOException e) {
            return files;
        }
        return files;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
