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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class that leaves a broker behind: {@code @ExtendWith(LeakCheck.class)} (or JUnit's extension
 * auto-detection, as {@code broker-runtime/it} does for all its classes) compares, after the class's last test, what
 * the JVM holds with what it held before the first; {@link SkeinTestBroker} runs the same check when it closes:
 * <ul>
 *   <li>threads: broker threads ({@code skein-*}), ZooKeeper/Curator threads and kafka-clients' network threads
 *       started during the class and still alive;
 *   <li>files: open descriptors on log segments, indexes, snapshots and broker state ({@code /proc/self/fd}; skipped
 *       where the system has no {@code /proc});
 *   <li>ports: Kafka ports of brokers the kit closed during the class ({@link SkeinTestBroker}, {@link
 *       SkeinTestCluster}) that still accept connections;
 *   <li>processes: child processes of this JVM (broker subprocesses, tools) started during the class and still alive.
 * </ul>
 * Shutdown is asynchronous in places (executor threads finish their task), so each check polls for up to {@value
 * #GRACE_MS} ms before it fails.
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
    static final long GRACE_MS = 10_000;
    private static final Pattern BROKER_THREAD =
            Pattern.compile("skein-.*|.*-EventThread|.*-SendThread.*|Curator-.*|NIOServerCxnFactory.*|SessionTracker"
                    + "|SyncThread.*|ProcessThread.*|NIOWorkerThread.*|ConnnectionExpirer.*"
                    + "|kafka-producer-network-thread.*|kafka-admin-client-thread.*|kafka-coordinator-heartbeat-thread.*"
                    + "|consumer_background_thread.*");
    private static final Pattern BROKER_FILE =
            Pattern.compile(".*\\.(log|index|timeindex|snapshot|db|txnindex)(\\.(deleted|cleaned|swap))?$");
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LeakCheck.class);

    /** Kafka ports of brokers the kit closed, in order. */
    private static final List<Integer> CLOSED_PORTS = new CopyOnWriteArrayList<>();
    /** Kafka ports of brokers the kit runs (a restarted broker takes its port again). */
    private static final Set<Integer> RUNNING_PORTS = ConcurrentHashMap.newKeySet();

    /** What the JVM held at one moment. */
    record Snapshot(Set<Long> threadIds, Set<String> files, int closedPortsBefore, Set<Long> children) {}

    static Snapshot snapshot() {
        return new Snapshot(threadIds(), openFiles(), CLOSED_PORTS.size(), children());
    }

    /** The kit started a broker listening on {@code port}. */
    static void brokerStarted(int port) {
        RUNNING_PORTS.add(port);
    }

    /** The kit closed the broker that listened on {@code port}: from now on nothing may accept there. */
    static void brokerClosed(int port) {
        RUNNING_PORTS.remove(port);
        CLOSED_PORTS.add(port);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NAMESPACE).put("before", snapshot());
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        assertNoLeaks(context.getStore(NAMESPACE).get("before", Snapshot.class), context.getDisplayName());
    }

    /** Fails with the list of leaks if, within {@value #GRACE_MS} ms, something since {@code before} stays alive. */
    static void assertNoLeaks(Snapshot before, String what) throws InterruptedException {
        assertNoLeaks(before, what, GRACE_MS);
    }

    static void assertNoLeaks(Snapshot before, String what, long graceMs) throws InterruptedException {
        List<String> leaks = List.of();
        long deadline = System.nanoTime() + graceMs * 1_000_000;
        while (true) {
            leaks = leaks(before);
            if (leaks.isEmpty() || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(100);
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError(what + " leaked: " + String.join("; ", leaks));
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
        for (int port : CLOSED_PORTS.subList(before.closedPortsBefore(), CLOSED_PORTS.size())) {
            if (!RUNNING_PORTS.contains(port) && accepts(port)) {
                leaks.add("port " + port + " still accepts connections after its broker closed");
            }
        }
        ProcessHandle.current().children().filter(ProcessHandle::isAlive).forEach(child -> {
            if (!before.children().contains(child.pid())) {
                String command = child.info().commandLine().orElse("");
                leaks.add("process " + child.pid() + " " + command.substring(0, Math.min(200, command.length())));
            }
        });
        return leaks;
    }

    private static Set<Long> children() {
        Set<Long> pids = new HashSet<>();
        ProcessHandle.current().children().forEach(child -> pids.add(child.pid()));
        return pids;
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
