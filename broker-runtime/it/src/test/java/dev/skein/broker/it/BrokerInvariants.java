package dev.skein.broker.it;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The invariants the fuzzer checks between batches of inputs on an in-JVM broker: a fresh connection gets an
 * ApiVersions answer within the bound; heap used (after a GC) below a bound; none of the broker's acceptor, network
 * and request ({@code -io-}) threads alive at the start has died, and no request thread was replaced (the pool names
 * threads with increasing numbers, so a number at or above {@code num.io.threads} means one died); every partition log
 * passes {@link LogScan}. Thread names come from {@code SocketServer}: {@code skein-broker-<id>-acceptor|network-N|io-N}.
 */
final class BrokerInvariants {
    private static final Pattern IO_THREAD = Pattern.compile("skein-broker-\\d+-io-(\\d+)");

    private final int port;
    private final Path dataDir;
    private final int ioThreads;
    private final long heapBoundBytes;
    private final int boundMs;
    private final List<Thread> baseline = new ArrayList<>();

    BrokerInvariants(int port, Path dataDir, int ioThreads, long heapBoundBytes, int boundMs) {
        this.port = port;
        this.dataDir = dataDir;
        this.ioThreads = ioThreads;
        this.heapBoundBytes = heapBoundBytes;
        this.boundMs = boundMs;
        for (Thread t : allThreads()) {
            if (t.getName().startsWith("skein-broker-") && t.isAlive()) {
                baseline.add(t);
            }
        }
    }

    int baselineThreads() {
        return baseline.size();
    }

    /** Liveness and threads only: cheap enough to run after every input while minimizing. */
    List<String> checkThreadsAndLiveness() {
        List<String> breaches = new ArrayList<>();
        if (!FuzzConnection.answersApiVersions(port, boundMs)) {
            breaches.add("a fresh connection got no ApiVersions answer within " + boundMs + " ms");
        }
        for (Thread t : baseline) {
            if (!t.isAlive()) {
                breaches.add("broker thread died: " + t.getName());
            }
        }
        for (Thread t : allThreads()) {
            Matcher io = IO_THREAD.matcher(t.getName());
            if (io.matches() && Integer.parseInt(io.group(1)) >= ioThreads) {
                breaches.add("request thread replaced (one died): " + t.getName());
            }
        }
        return breaches;
    }

    /** Every invariant; {@code compactedTopics} relaxes the no-gap rule for those topics. */
    List<String> checkAll(Set<String> compactedTopics) throws IOException {
        List<String> breaches = checkThreadsAndLiveness();
        System.gc();
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        if (used > heapBoundBytes) {
            breaches.add("heap used " + (used >> 20) + " MiB after GC, bound " + (heapBoundBytes >> 20) + " MiB");
        }
        for (String breach : LogScan.scan(dataDir, compactedTopics)) {
            breaches.add("log: " + breach);
        }
        return breaches;
    }

    /** The live threads of this JVM, without capturing their stacks (cheap enough to call after every input). */
    private static List<Thread> allThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads = new Thread[root.activeCount() * 2 + 16];
        int n = root.enumerate(threads, true);
        return java.util.Arrays.asList(threads).subList(0, n);
    }

    static Map<String, String> brokerOverrides(int networkThreads, int ioThreads) {
        return Map.of(
                "num.network.threads", String.valueOf(networkThreads),
                "num.io.threads", String.valueOf(ioThreads),
                "group.initial.rebalance.delay.ms", "0",
                "auto.create.topics.enable", "false",
                "socket.request.max.bytes", String.valueOf(8 << 20));
    }
}
