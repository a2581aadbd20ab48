package dev.skein.broker.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skein.testkit.SkeinBrokerMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;

/**
 * A process-level cluster for fault injection: a standalone ZooKeeper (Curator {@link TestingServer}, tick 500 ms)
 * and N brokers, each a separate JVM ({@link SkeinBrokerMain}). Every broker reaches ZooKeeper through its own
 * {@link FaultProxy} (the broker-to-ZooKeeper link), and every connection to a broker (clients and the other
 * brokers' replica fetchers) goes through a second proxy whose port the broker advertises (the broker's inbound
 * link). Proxy ports stay fixed across restarts, so a restarted broker keeps its address.
 *
 * <p>Faults: {@link #kill(int)} ({@code kill -9}), {@link #pause(int)} / {@link #resume(int)} ({@code SIGSTOP} /
 * {@code SIGCONT}), and the proxies' link faults. ZooKeeper reads use the test's own session. Broker output goes to
 * {@code broker-N.out} under the root directory.
 */
final class FaultCluster implements AutoCloseable {
    static final int SESSION_TIMEOUT_MS = 2000;
    static final long DISK_BYTES = 256L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final TestingServer zookeeper;
    private final CuratorFramework zk;
    private final Map<Integer, FaultProxy> zkProxies = new TreeMap<>();
    private final Map<Integer, FaultProxy> inProxies = new TreeMap<>();
    private final Map<Integer, Process> processes = new TreeMap<>();
    private int diskLimited = -1;
    private List<String> extraConfig = List.of();

    private FaultCluster(Path root, TestingServer zookeeper, CuratorFramework zk) {
        this.root = root;
        this.zookeeper = zookeeper;
        this.zk = zk;
    }

    /** Starts ZooKeeper and brokers 1..{@code brokers}, waiting until each is serving. */
    static FaultCluster start(Path root, int brokers) throws Exception {
        return start(root, brokers, false);
    }

    /**
     * As {@link #start(Path, int)}; with {@code limitDisk} the last broker's log directory is a tmpfs of {@value
     * #DISK_BYTES} bytes that {@link #fillDisk} shrinks to what is in use (the caller checks {@link #canMount}).
     */
    static FaultCluster start(Path root, int brokers, boolean limitDisk) throws Exception {
        return start(root, brokers, limitDisk, List.of());
    }

    /** As {@link #start(Path, int, boolean)}, every broker with {@code extraConfig} ({@code key=value}) too. */
    static FaultCluster start(Path root, int brokers, boolean limitDisk, List<String> extraConfig) throws Exception {
        InstanceSpec spec = new InstanceSpec(root.resolve("zk").toFile(), -1, -1, -1, true, -1, 500, -1);
        TestingServer server = new TestingServer(spec, true);
        CuratorFramework client = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100));
        client.start();
        client.blockUntilConnected();
        FaultCluster cluster = new FaultCluster(root, server, client);
        cluster.extraConfig = List.copyOf(extraConfig);
        try {
            for (int id = 1; id <= brokers; id++) {
                cluster.zkProxies.put(id, new FaultProxy("zk-" + id, server.getPort()));
                cluster.inProxies.put(id, new FaultProxy("in-" + id, -1));
            }
            if (limitDisk) {
                cluster.diskLimited = brokers;
                Files.createDirectories(cluster.dataDir(brokers));
                mount(cluster.dataDir(brokers), "size=" + DISK_BYTES);
            }
            for (int id = 1; id <= brokers; id++) {
                cluster.startBroker(id);
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    List<Integer> ids() {
        return List.copyOf(zkProxies.keySet());
    }

    Path dataDir(int id) {
        return root.resolve("broker-" + id);
    }

    String bootstrap() {
        return inProxies.values().stream().map(p -> "127.0.0.1:" + p.port()).collect(Collectors.joining(","));
    }

    FaultProxy zkLink(int id) {
        return zkProxies.get(id);
    }

    FaultProxy inboundLink(int id) {
        return inProxies.get(id);
    }

    /**
     * Cuts (if {@code cut}) and/or delays the bytes broker {@code from} sends to broker {@code to}, and only those:
     * its replica fetchers' requests to {@code to}, and its responses to {@code to}'s replica fetchers. Clients and
     * other brokers pass. {@link #healPeerLink} ends it.
     */
    void peerLink(int from, int to, boolean cut, long delayMs) {
        inProxies.get(to).peerFault(from, cut, false, delayMs);
        inProxies.get(from).peerFault(to, false, cut, delayMs);
    }

    void healPeerLink(int from, int to) {
        inProxies.get(to).heal();
        inProxies.get(from).heal();
    }

    boolean running(int id) {
        Process process = processes.get(id);
        return process != null && process.isAlive();
    }

    /** How often a broker exited while starting and was started again (see {@link #startBroker}). */
    private int failedStarts;

    int failedStarts() {
        return failedStarts;
    }

    /**
     * Starts broker {@code id} (again) and waits until it serves; its inbound proxy then points at it. A broker that
     * exits before it is ready (on this shared machine a start can take 6 s and its ZooKeeper metadata load then times
     * out) is started again, at most twice, as a supervisor would; {@link #failedStarts} counts those.
     */
    void startBroker(int id) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                startOnce(id);
                return;
            } catch (IOException exitedBeforeReady) {
                if (attempt == 3) {
                    throw exitedBeforeReady;
                }
                failedStarts++;
                System.out.println("[fault cluster] broker " + id + " exited while starting (attempt " + attempt
                        + "), starting it again: " + firstLine(exitedBeforeReady));
            }
        }
    }

    private static String firstLine(IOException e) {
        String text = String.valueOf(e.getMessage());
        int exception = text.indexOf("Exception in thread");
        return exception < 0
                ? text.lines().findFirst().orElse("")
                : text.substring(exception).lines().findFirst().orElse("");
    }

    private void startOnce(int id) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-D" + HALT_FLAG_PROPERTY + "=" + haltAfterTruncationFlag(id),
                "-cp",
                System.getProperty("java.class.path"),
                SkeinBrokerMain.class.getName(),
                "broker.id=" + id,
                "listeners=PLAINTEXT://127.0.0.1:0",
                "advertised.listeners=PLAINTEXT://127.0.0.1:"
                        + inProxies.get(id).port(),
                "log.dirs=" + dataDir(id),
                "zookeeper.connect=127.0.0.1:" + zkProxies.get(id).port(),
                "zookeeper.session.timeout.ms=" + SESSION_TIMEOUT_MS,
                "replica.fetch.wait.max.ms=100",
                "replica.lag.time.max.ms=4000",
                "replica.socket.timeout.ms=3000",
                "offsets.topic.replication.factor=3",
                "offsets.topic.num.partitions=3",
                "group.initial.rebalance.delay.ms=0",
                "group.min.session.timeout.ms=1000",
                "skein.controlled.shutdown.timeout.ms=5000"));
        command.addAll(extraConfig);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.put(id, process);
        inProxies.get(id).target(awaitReady(id, process));
    }

    private int awaitReady(int id, Process process) throws IOException {
        BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(
                Files.newOutputStream(
                        root.resolve("broker-" + id + ".out"), StandardOpenOption.CREATE, StandardOpenOption.APPEND),
                true,
                StandardCharsets.UTF_8);
        String line;
        while ((line = reader.readLine()) != null) {
            out.println(line);
            if (line.startsWith("READY ")) {
                int port = Integer.parseInt(line.substring(6).trim());
                Thread drain = new Thread(
                        () -> {
                            try {
                                reader.lines().forEach(out::println);
                            } catch (java.io.UncheckedIOException e) {
                                // The process was killed: its output ends here.
                            } finally {
                                out.close();
                            }
                        },
                        "broker-" + id + "-output");
                drain.setDaemon(true);
                drain.start();
                return port;
            }
        }
        out.close();
        List<String> lines = Files.readAllLines(root.resolve("broker-" + id + ".out"));
        throw new IOException("Broker " + id + " exited before it was ready; the end of its output:\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())));
    }

    /** The broker's fault point that halts it right after a follower truncation is durable (PartitionLog). */
    private static final String HALT_FLAG_PROPERTY = "skein.fault.halt.after.truncation.flag";
    /** The status a broker halted by that point exits with. */
    static final int HALTED_AFTER_TRUNCATION = 86;

    private Path haltAfterTruncationFlag(int id) {
        return root.resolve("halt-after-truncation-" + id);
    }

    /** Arms (or disarms) broker {@code id}'s halt right after its next truncation that removes records. */
    void haltAfterTruncation(int id, boolean armed) throws IOException {
        if (armed) {
            Files.writeString(haltAfterTruncationFlag(id), "armed");
        } else {
            Files.deleteIfExists(haltAfterTruncationFlag(id));
        }
    }

    /** Waits up to {@code ms} for broker {@code id}'s process to exit; its exit status, or -1 if it still runs. */
    int awaitExit(int id, long ms) throws InterruptedException {
        Process process = processes.get(id);
        if (process == null) {
            return -1;
        }
        return process.waitFor(ms, TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** {@code kill -9}: the JVM dies at once, nothing is flushed. */
    void kill(int id) throws InterruptedException {
        inProxies.get(id).target(-1);
        Process process = processes.remove(id);
        if (process != null) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        inProxies.get(id).resetAll();
    }

    /** SIGTERM and wait: the broker closes cleanly (controlled shutdown, logs flushed). */
    void stopCleanly(int id) throws InterruptedException {
        Process process = processes.remove(id);
        if (process != null) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("broker " + id + " did not stop within 60 s of SIGTERM");
            }
        }
        inProxies.get(id).target(-1);
    }

    void pause(int id) throws IOException, InterruptedException {
        signal(id, "STOP");
    }

    void resume(int id) throws IOException, InterruptedException {
        signal(id, "CONT");
    }

    private void signal(int id, String signal) throws IOException, InterruptedException {
        Process process = processes.get(id);
        if (process == null) {
            return;
        }
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    /** Whether this process may mount a tmpfs (root with CAP_SYS_ADMIN): tries it on a scratch directory. */
    static boolean canMount(Path scratch) {
        try {
            Files.createDirectories(scratch);
            mount(scratch, "size=1m");
            run("umount", scratch.toString());
            return true;
        } catch (IOException | InterruptedException | RuntimeException e) {
            return false;
        }
    }

    /** The broker whose log directory is a size-limited tmpfs, or -1. */
    int diskLimitedBroker() {
        return diskLimited;
    }

    /** Shrinks the limited broker's tmpfs to what is in use plus 16 KiB: its next writes fail with ENOSPC. */
    void fillDisk() throws IOException, InterruptedException {
        java.nio.file.FileStore store = Files.getFileStore(dataDir(diskLimited));
        long used = store.getTotalSpace() - store.getUnallocatedSpace();
        long size = ((used + 4095) / 4096 + 4) * 4096;
        run("mount", "-o", "remount,size=" + size, dataDir(diskLimited).toString());
    }

    /** The last line of broker {@code id}'s output so far that contains {@code text}, or "" if none. */
    String outputLine(int id, String text) throws IOException {
        try (java.util.stream.Stream<String> lines = Files.lines(root.resolve("broker-" + id + ".out"))) {
            return lines.filter(line -> line.contains(text)).reduce((a, b) -> b).orElse("");
        }
    }

    /** How many lines of broker {@code id}'s output so far contain {@code text}. */
    long outputLines(int id, String text) throws IOException {
        try (java.util.stream.Stream<String> lines = Files.lines(root.resolve("broker-" + id + ".out"))) {
            return lines.filter(line -> line.contains(text)).count();
        }
    }

    /** Gives the limited broker's tmpfs its full size back. */
    void freeDisk() throws IOException, InterruptedException {
        run("mount", "-o", "remount,size=" + DISK_BYTES, dataDir(diskLimited).toString());
    }

    private static void mount(Path dir, String options) throws IOException, InterruptedException {
        run("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir.toString());
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
    }

    /** The controller's broker id, or -1 if there is none right now. */
    int controller() throws Exception {
        try {
            return JSON.readTree(zk.getData().forPath("/controller"))
                    .get("brokerid")
                    .asInt();
        } catch (KeeperException.NoNodeException e) {
            return -1;
        }
    }

    /** The registered (live) broker ids. */
    List<Integer> registered() throws Exception {
        return zk.getChildren().forPath("/brokers/ids").stream()
                .map(Integer::parseInt)
                .sorted()
                .toList();
    }

    /** The partition's state znode: leader, leader epoch, ISR; null while it does not exist. */
    PartitionView partition(String topic, int partition) throws Exception {
        String path = "/brokers/topics/" + topic + "/partitions/" + partition + "/state";
        try {
            JsonNode node = JSON.readTree(zk.getData().forPath(path));
            List<Integer> isr = new ArrayList<>();
            node.get("isr").forEach(r -> isr.add(r.asInt()));
            return new PartitionView(
                    node.get("leader").asInt(), node.get("leader_epoch").asInt(), isr);
        } catch (KeeperException.NoNodeException e) {
            return null;
        }
    }

    /** One partition's state znode. */
    record PartitionView(int leader, int leaderEpoch, List<Integer> isr) {}

    /**
     * Polls (100 ms slices) until every broker is registered and every listed partition has a leader and a full ISR;
     * returns false after {@code timeoutMs}.
     */
    boolean awaitHealthy(Map<String, Integer> topics, long timeoutMs) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (healthy(topics)) {
                return true;
            }
            Thread.sleep(100);
        }
        return false;
    }

    /** The suite's topics have replication factor 3 (or one replica per broker on a smaller cluster). */
    private int replicationFactor() {
        return Math.min(3, zkProxies.size());
    }

    private boolean healthy(Map<String, Integer> topics) throws Exception {
        if (registered().size() != zkProxies.size()) {
            return false;
        }
        for (Map.Entry<String, Integer> topic : topics.entrySet()) {
            for (int p = 0; p < topic.getValue(); p++) {
                PartitionView view = partition(topic.getKey(), p);
                if (view == null || view.leader() < 0 || view.isr().size() != replicationFactor()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A one-line description of the cluster for the timeline. */
    String describe(String topic, int partitions) throws Exception {
        StringBuilder text = new StringBuilder("registered=" + registered() + " controller=" + controller());
        for (int p = 0; p < partitions; p++) {
            text.append(' ').append(topic).append('-').append(p).append('=').append(partition(topic, p));
        }
        return text.toString();
    }

    @Override
    public void close() throws Exception {
        for (int id : List.copyOf(processes.keySet())) {
            Process process = processes.remove(id);
            signal(process, "CONT");
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        for (FaultProxy proxy : zkProxies.values()) {
            proxy.close();
        }
        for (FaultProxy proxy : inProxies.values()) {
            proxy.close();
        }
        zk.close();
        zookeeper.close();
        if (diskLimited > 0) {
            run("umount", dataDir(diskLimited).toString());
        }
    }

    private static void signal(Process process, String signal) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // Best effort: the process is killed next anyway.
        }
    }
}
