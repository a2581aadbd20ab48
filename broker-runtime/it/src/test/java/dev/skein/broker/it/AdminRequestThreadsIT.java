package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admin requests wait for ZooKeeper on the admin thread, never on a request thread: with one request thread and
 * ZooKeeper gone, a CreateTopics stuck in its ZooKeeper write does not hold up other clients' requests.
 */
class AdminRequestThreadsIT {
    private static final int TICK_TIME_MS = 200;
    private static final int SESSION_TIMEOUT_MS = 8_000;

    @TempDir
    Path dataDir;

    private TestingServer zk;
    private BrokerHarness harness;

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, TICK_TIME_MS, -1), true);
        harness = BrokerHarness.start(
                dataDir,
                Map.of(
                        "zookeeper.connect",
                        zk.getConnectString(),
                        "zookeeper.session.timeout.ms",
                        Integer.toString(SESSION_TIMEOUT_MS),
                        "num.io.threads",
                        "1",
                        "controlled.shutdown.enable",
                        "false"));
    }

    @AfterEach
    void stop() throws Exception {
        zk.restart();
        harness.close();
        zk.close();
    }

    @Test
    void otherClientsAreServedWhileCreateTopicsWaitsForZooKeeper() throws Exception {
        Admin admin = harness.admin();
        admin.createTopics(List.of(new NewTopic("before", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);

        zk.stop();
        KafkaFuture<Void> blocked = admin.createTopics(List.of(new NewTopic("during", 1, (short) 1)))
                .all();
        Awaitility.await("CreateTopics in its ZooKeeper write")
                .atMost(Duration.ofSeconds(SESSION_TIMEOUT_MS / 1000))
                .until(AdminRequestThreadsIT::aThreadIsCreatingATopic);

        try (Admin other = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                harness.bootstrap(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                30_000))) {
            assertThat(other.listTopics().names().get(30, TimeUnit.SECONDS)).contains("before");
            assertThat(blocked.isDone())
                    .as("the other client was answered while CreateTopics still waited for ZooKeeper")
                    .isFalse();
        }
    }

    private static boolean aThreadIsCreatingATopic() {
        return Thread.getAllStackTraces().values().stream()
                .flatMap(Arrays::stream)
                .anyMatch(frame -> frame.getMethodName().equals("createTopic")
                        && frame.getClassName().startsWith("dev.skein.broker.cluster."));
    }
}
