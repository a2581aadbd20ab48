package dev.skein.compat;

import dev.skein.testkit.SkeinBrokerMain;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Three (or more) Skein brokers, each in its own JVM ({@link SkeinBrokerMain}), sharing a ZooKeeper that runs in the
 * test JVM: a broker can be killed with SIGKILL (a crash: no clean shutdown, no flush) and restarted on its data
 * directory (on a new ephemeral port, which it registers). Every internal topic is replicated 3 times with min ISR 2
 * ({@code __consumer_offsets}, {@code __transaction_state}), and so are new topics by default. Output of broker
 * {@code id}'s run {@code n} goes to {@code broker-<id>-<n>.out} in the test directory. Not thread-safe.
 */
final class BrokerProcessCluster implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(120);

    private final Path dir;
    private final TestingServer zookeeper;
    private final Map<Integer, ExternalProcess> brokers = new TreeMap<>();
    private final Map<Integer, Integer> ports = new TreeMap<>();
    private final Map<Integer, Integer> runs = new TreeMap<>();

    private BrokerProcessCluster(Path dir, TestingServer zookeeper) {
        this.dir = dir;
        this.zookeeper = zookeeper;
    }

    /** Starts ZooKeeper (500 ms ticks, so sessions may be short) and brokers {@code 1..count}. */
    static BrokerProcessCluster start(Path dir, int count) throws Exception {
        InstanceSpec spec = new InstanceSpec(dir.resolve("zk").toFile(), -1, -1, -1, true, -1, 500, -1);
        BrokerProcessCluster cluster = new BrokerProcessCluster(dir, new TestingServer(spec, true));
        try {
            for (int id = 1; id <= count; id++) {
                cluster.startBroker(id);
            }
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /**
     * Starts broker {@code id} (again, on its data directory) and waits until it serves. A start that fails (on a
     * loaded machine the initial ZooKeeper load can outlast its timeout; the JVM then stays up without serving) is
     * retried, twice at most.
     */
    void startBroker(int id) throws IOException, InterruptedException {
        String failure = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            int run = runs.merge(id, 1, Integer::sum);
            ExternalProcess broker = ExternalProcess.start(
                    dir, "broker-" + id + "-" + run, KafkaTool.command(SkeinBrokerMain.class.getName(), props(id)));
            brokers.put(id, broker);
            String ready = awaitReady(broker);
            if (ready != null) {
                ports.put(id, Integer.parseInt(ready.substring(6).trim()));
                return;
            }
            String err = broker.stderr();
            failure = err.substring(Math.max(0, err.length() - 4000));
            brokers.remove(id);
            broker.kill();
            System.out.printf("broker %d did not start (attempt %d): %s%n", id, attempt, failure);
        }
        throw new IOException("broker " + id + " did not start; its output ends with:\n" + failure);
    }

    private List<String> props(int id) {
        return List.of(
                "broker.id=" + id,
                "listeners=PLAINTEXT://127.0.0.1:0",
                "log.dirs=" + dir.resolve("broker-" + id),
                "zookeeper.connect=" + zookeeper.getConnectString(),
                "zookeeper.session.timeout.ms=6000",
                "replica.fetch.wait.max.ms=100",
                "default.replication.factor=3",
                "min.insync.replicas=2",
                "offsets.topic.replication.factor=3",
                "offsets.topic.num.partitions=5",
                "transaction.state.log.replication.factor=3",
                "transaction.state.log.min.isr=2",
                "transaction.state.log.num.partitions=5");
    }

    /** The broker's {@code READY <port>} line, or null if it failed to start or did not start in time. */
    private static String awaitReady(ExternalProcess broker) {
        try {
            return Awaitility.await("broker ready")
                    .atMost(START)
                    .pollInterval(Duration.ofMillis(50))
                    .until(
                            () -> broker.stdout()
                                    .lines()
                                    .filter(line -> line.startsWith("READY "))
                                    .findFirst()
                                    .orElse(null),
                            line -> line != null
                                    || !broker.alive()
                                    || broker.stderr().contains("Exception in thread \"main\""));
        } catch (ConditionTimeoutException e) {
            return null;
        }
    }

    /** Kills broker {@code id} with SIGKILL and waits until its process is gone. */
    void kill(int id) throws InterruptedException {
        ExternalProcess broker = brokers.remove(id);
        ports.remove(id);
        if (broker != null) {
            broker.kill();
        }
    }

    /** The bootstrap string of the running brokers. */
    String bootstrap() {
        return ports.values().stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    /** Ids of the running brokers. */
    List<Integer> liveIds() {
        return List.copyOf(ports.keySet());
    }

    Admin admin() {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                5_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                15_000));
    }

    /** Creates a topic of {@code partitions} partitions, replicated 3 times, min ISR 2. */
    void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 3)))
                    .all()
                    .get();
        }
    }

    /** Waits until every partition of {@code topic} has a leader and all 3 replicas in sync. */
    void awaitFullIsr(String topic) {
        Awaitility.await(topic + " fully in sync")
                .atMost(START)
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .until(() -> {
                    try (Admin admin = admin()) {
                        TopicDescription description = admin.describeTopics(List.of(topic))
                                .allTopicNames()
                                .get()
                                .get(topic);
                        return description.partitions().stream()
                                .allMatch(p -> p.leader() != null && p.isr().size() == 3);
                    }
                });
    }

    /** The current leader of {@code tp} as the cluster's metadata says. */
    int leader(TopicPartition tp) throws Exception {
        try (Admin admin = admin()) {
            TopicPartitionInfo info = admin.describeTopics(List.of(tp.topic()))
                    .allTopicNames()
                    .get()
                    .get(tp.topic())
                    .partitions()
                    .get(tp.partition());
            return info.leader().id();
        }
    }

    /** Stops the brokers (SIGTERM, then SIGKILL) and ZooKeeper. */
    @Override
    public void close() throws Exception {
        try {
            for (ExternalProcess broker : brokers.values()) {
                broker.close();
            }
            brokers.clear();
        } finally {
            zookeeper.close();
        }
    }
}
