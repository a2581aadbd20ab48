package dev.skein.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MetadataStoreTest {
    private static final int SESSION_TIMEOUT_MS = 2000;
    private static final int TICK_TIME_MS = 100;
    private static final long AWAIT_SECONDS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private TestingServer zk;

    @BeforeEach
    void startZooKeeper() throws Exception {
        zk = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, TICK_TIME_MS, -1), true);
    }

    @AfterEach
    void closeAll() throws Exception {
        while (!resources.isEmpty()) {
            resources.pop().close();
        }
        zk.close();
    }

    @Test
    void createdTopicIsVisibleAtOnceWithRoundRobinAssignment() throws Exception {
        MetadataStore store = storeWithBrokers(1, 2, 3);

        TopicDescription created = store.createTopic("orders", 3, (short) 2, Map.of("retention.ms", "1000"));

        assertThat(store.topic("orders")).contains(created);
        assertThat(store.topic(created.topicId())).contains(created);
        assertThat(store.topics()).containsExactly(created);
        assertThat(created.configs()).isEqualTo(Map.of("retention.ms", "1000"));
        assertThat(created.partitions()).hasSize(3);
        assertThat(created.partitions().get(0).replicas()).containsExactly(1, 2);
        assertThat(created.partitions().get(1).replicas()).containsExactly(2, 3);
        assertThat(created.partitions().get(2).replicas()).containsExactly(3, 1);
        for (PartitionState partition : created.partitions().values()) {
            assertThat(partition.leader()).isEqualTo(partition.replicas().get(0));
            assertThat(partition.isr()).isEqualTo(partition.replicas());
            assertThat(partition.leaderEpoch()).isZero();
        }
    }

    @Test
    void createdTopicUsesKafkaZnodeLayoutAndJson() throws Exception {
        MetadataStore store = storeWithBrokers(1);
        TopicDescription created = store.createTopic("orders", 1, (short) 1, Map.of("cleanup.policy", "compact"));

        try (CuratorFramework raw = rawClient()) {
            JsonNode assignment = readJson(raw, "/brokers/topics/orders");
            assertThat(assignment.get("version").asInt()).isEqualTo(3);
            assertThat(assignment.get("topic_id").asText())
                    .isEqualTo(created.topicId().toString());
            assertThat(assignment.get("partitions").get("0").toString()).isEqualTo("[1]");
            assertThat(assignment.get("adding_replicas").isEmpty()).isTrue();
            assertThat(assignment.get("removing_replicas").isEmpty()).isTrue();

            JsonNode state = readJson(raw, "/brokers/topics/orders/partitions/0/state");
            assertThat(state.get("leader").asInt()).isEqualTo(1);
            assertThat(state.get("leader_epoch").asInt()).isZero();
            assertThat(state.get("controller_epoch").asInt()).isZero();
            assertThat(state.get("version").asInt()).isEqualTo(1);
            assertThat(state.get("isr").toString()).isEqualTo("[1]");

            JsonNode config = readJson(raw, "/config/topics/orders");
            assertThat(config.get("version").asInt()).isEqualTo(1);
            assertThat(config.get("config").get("cleanup.policy").asText()).isEqualTo("compact");
        }
    }

    @Test
    void duplicateTopicIsRejected() throws Exception {
        MetadataStore store = storeWithBrokers(1);
        store.createTopic("orders", 1, (short) 1, Map.of());

        assertThatThrownBy(() -> store.createTopic("orders", 2, (short) 1, Map.of()))
                .isInstanceOf(TopicExistsException.class)
                .hasMessageContaining("orders");
        assertThat(store.topic("orders").orElseThrow().partitionCount()).isEqualTo(1);
    }

    @Test
    void illegalTopicNamesAreRejected() throws Exception {
        MetadataStore store = storeWithBrokers(1);
        store.createTopic("a.b", 1, (short) 1, Map.of());

        for (String name : List.of("", ".", "..", "has/slash", "has space", "x".repeat(250), "a_b")) {
            assertThatThrownBy(() -> store.createTopic(name, 1, (short) 1, Map.of()))
                    .as(name)
                    .isInstanceOf(InvalidTopicException.class);
        }
        assertThat(store.topics()).extracting(TopicDescription::name).containsExactly("a.b");
    }

    @Test
    void replicationFactorAboveLiveBrokersIsRejectedWithoutWriting() throws Exception {
        MetadataStore store = storeWithBrokers(1, 2);

        assertThatThrownBy(() -> store.createTopic("orders", 1, (short) 3, Map.of()))
                .isInstanceOf(InvalidReplicationFactorException.class)
                .hasMessageContaining("larger than available brokers: 2");
        try (CuratorFramework raw = rawClient()) {
            assertThat(raw.checkExists().forPath("/brokers/topics/orders")).isNull();
            assertThat(raw.checkExists().forPath("/config/topics/orders")).isNull();
        }
    }

    @Test
    void partitionCountBelowOneIsRejected() throws Exception {
        MetadataStore store = storeWithBrokers(1);

        assertThatThrownBy(() -> store.createTopic("orders", 0, (short) 1, Map.of()))
                .isInstanceOf(InvalidPartitionsException.class);
    }

    @Test
    void deletedTopicIsGoneFromCacheAndZooKeeper() throws Exception {
        MetadataStore store = storeWithBrokers(1);
        TopicDescription created = store.createTopic("orders", 2, (short) 1, Map.of("retention.ms", "1"));

        store.deleteTopic("orders");

        assertThat(store.topic("orders")).isEmpty();
        assertThat(store.topic(created.topicId())).isEmpty();
        assertThat(store.topics()).isEmpty();
        try (CuratorFramework raw = rawClient()) {
            assertThat(raw.checkExists().forPath("/brokers/topics/orders")).isNull();
            assertThat(raw.checkExists().forPath("/config/topics/orders")).isNull();
        }
        assertThatThrownBy(() -> store.deleteTopic("orders")).isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void recreatedTopicGetsANewId() throws Exception {
        MetadataStore store = storeWithBrokers(1);
        Uuid first = store.createTopic("orders", 1, (short) 1, Map.of()).topicId();
        store.deleteTopic("orders");

        Uuid second = store.createTopic("orders", 1, (short) 1, Map.of()).topicId();

        assertThat(second).isNotEqualTo(first);
        assertThat(store.topic("orders").orElseThrow().topicId()).isEqualTo(second);
        assertThat(store.topic(first)).isEmpty();
    }

    @Test
    void createPartitionsGrowsTopicAndRejectsShrinking() throws Exception {
        MetadataStore store = storeWithBrokers(1, 2);
        TopicDescription created = store.createTopic("orders", 2, (short) 2, Map.of());

        store.createPartitions("orders", 5);

        TopicDescription grown = store.topic("orders").orElseThrow();
        assertThat(grown.topicId()).isEqualTo(created.topicId());
        assertThat(grown.partitions().keySet()).containsExactly(0, 1, 2, 3, 4);
        assertThat(grown.partitions().get(0)).isEqualTo(created.partitions().get(0));
        assertThat(grown.partitions().get(2).replicas()).containsExactly(1, 2);
        assertThat(grown.partitions().get(3).replicas()).containsExactly(2, 1);
        assertThatThrownBy(() -> store.createPartitions("orders", 5)).isInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> store.createPartitions("orders", 3)).isInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> store.createPartitions("missing", 3))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void topicGrownPastOneZooKeeperRequestIsStillDeleted() throws Exception {
        // Creation and each CreatePartitions step fit one ZooKeeper request, but deleting the grown topic's 19,000
        // znodes in one transaction is over jute.maxbuffer: ZooKeeper would drop the connection on every attempt.
        MetadataStore store = storeWithBrokers(1);
        store.createTopic("wide", 2000, (short) 1, Map.of());
        for (int count = 3500; count <= 9500; count += 1500) {
            store.createPartitions("wide", count);
        }
        assertThat(store.topic("wide").orElseThrow().partitions()).hasSize(9500);

        store.deleteTopic("wide");

        assertThat(store.topic("wide")).isEmpty();
        try (CuratorFramework client =
                CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100))) {
            client.start();
            assertThat(client.checkExists().forPath("/brokers/topics/wide")).isNull();
            assertThat(client.checkExists().forPath("/admin/delete_topics/wide"))
                    .isNull();
        }
    }

    @Test
    void topicConfigOverridesAreReplacedAndReadBack() throws Exception {
        MetadataStore store = storeWithBrokers(1);
        store.createTopic("orders", 1, (short) 1, Map.of("retention.ms", "1000", "segment.bytes", "1048576"));

        store.setTopicConfig("orders", Map.of("cleanup.policy", "compact"));

        assertThat(store.topic("orders").orElseThrow().configs()).isEqualTo(Map.of("cleanup.policy", "compact"));
        try (MetadataStore other = connect()) {
            assertThat(other.topic("orders").orElseThrow().configs()).isEqualTo(Map.of("cleanup.policy", "compact"));
        }
        assertThatThrownBy(() -> store.setTopicConfig("missing", Map.of()))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void metadataSurvivesReconnect() throws Exception {
        MetadataStore first = storeWithBrokers(1);
        String clusterId = first.clusterId("");
        TopicDescription created = first.createTopic("orders", 2, (short) 1, Map.of("retention.ms", "1000"));
        first.close();
        resources.remove(first);

        try (MetadataStore second = connect()) {
            assertThat(second.topic("orders")).contains(created);
            assertThat(second.clusterId("another")).isEqualTo(clusterId);
        }
    }

    @Test
    void clusterIdIsCreatedOnceAndKept() throws Exception {
        MetadataStore store = connectAndKeep();

        String id = store.clusterId("");

        assertThat(Uuid.fromString(id)).isNotEqualTo(Uuid.ZERO_UUID);
        assertThat(store.clusterId("proposed")).isEqualTo(id);
        try (CuratorFramework raw = rawClient()) {
            JsonNode node = readJson(raw, "/cluster/id");
            assertThat(node.get("version").asText()).isEqualTo("1");
            assertThat(node.get("id").asText()).isEqualTo(id);
        }
    }

    @Test
    void registrationIsEphemeralAndDisappearsWhenStoreCloses() throws Exception {
        MetadataStore observer = connectAndKeep();
        CountDownLatch registered = new CountDownLatch(1);
        CountDownLatch gone = new CountDownLatch(1);
        observer.addListener(new MetadataListener() {
            @Override
            public void brokersChanged(List<BrokerRegistration> liveBrokers) {
                (liveBrokers.isEmpty() ? gone : registered).countDown();
            }
        });
        MetadataStore broker = MetadataStore.connect(zk.getConnectString(), SESSION_TIMEOUT_MS, fixedClock(1234L));
        BrokerRegistration registration = new BrokerRegistration(7, "localhost", 9092, "rack-a");
        broker.registerBroker(registration);

        assertThat(broker.liveBrokers()).containsExactly(registration);
        assertThat(registered.await(AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(observer.liveBrokers()).containsExactly(registration);
        try (CuratorFramework raw = rawClient()) {
            JsonNode node = readJson(raw, "/brokers/ids/7");
            assertThat(node.get("version").asInt()).isEqualTo(5);
            assertThat(node.get("host").asText()).isEqualTo("localhost");
            assertThat(node.get("port").asInt()).isEqualTo(9092);
            assertThat(node.get("endpoints").toString()).isEqualTo("[\"PLAINTEXT://localhost:9092\"]");
            assertThat(node.get("listener_security_protocol_map").toString())
                    .isEqualTo("{\"PLAINTEXT\":\"PLAINTEXT\"}");
            assertThat(node.get("rack").asText()).isEqualTo("rack-a");
            assertThat(node.get("jmx_port").asInt()).isEqualTo(-1);
            assertThat(node.get("timestamp").asText()).isEqualTo("1234");
            assertThat(raw.checkExists().forPath("/brokers/ids/7").getEphemeralOwner())
                    .isNotZero();
        }

        broker.close();

        assertThat(gone.await(AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(observer.liveBrokers()).isEmpty();
    }

    @Test
    void secondLiveBrokerWithTheSameIdIsRejected() throws Exception {
        MetadataStore first = storeWithBrokers(1);
        MetadataStore second = connectAndKeep();

        assertThatThrownBy(() -> second.registerBroker(new BrokerRegistration(1, "otherhost", 9093, null)))
                .isInstanceOf(KafkaException.class)
                .hasMessageContaining("Broker id 1 is already registered")
                .hasMessageContaining("localhost:9092")
                .hasMessageContaining("broker.id");
        assertThat(first.liveBrokers()).extracting(BrokerRegistration::host).containsExactly("localhost");
    }

    @Test
    void listenerSeesTopicsCreatedAndDeletedByAnotherStore() throws Exception {
        MetadataStore writer = storeWithBrokers(1);
        MetadataStore reader = connectAndKeep();
        CountDownLatch created = new CountDownLatch(1);
        CountDownLatch deleted = new CountDownLatch(1);
        reader.addListener(new MetadataListener() {
            @Override
            public void topicChanged(TopicDescription topic) {
                // The cache is updated before listeners run.
                if (reader.topic(topic.name()).equals(java.util.Optional.of(topic))) {
                    created.countDown();
                }
            }

            @Override
            public void topicDeleted(String name, Uuid topicId) {
                if (reader.topic(name).isEmpty()) {
                    deleted.countDown();
                }
            }
        });

        TopicDescription topic = writer.createTopic("orders", 4, (short) 1, Map.of());
        assertThat(created.await(AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(reader.topic("orders")).contains(topic);

        writer.deleteTopic("orders");
        assertThat(deleted.await(AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(reader.topic(topic.topicId())).isEmpty();
    }

    @Test
    void writesFromAListenerAreRefused() throws Exception {
        MetadataStore store = storeWithBrokers(1);
        CountDownLatch refused = new CountDownLatch(1);
        store.addListener(new MetadataListener() {
            @Override
            public void topicChanged(TopicDescription topic) {
                try {
                    store.createTopic("from-listener", 1, (short) 1, Map.of());
                } catch (IllegalStateException expected) {
                    refused.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });

        store.createTopic("orders", 1, (short) 1, Map.of());

        assertThat(refused.await(AWAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(store.topic("from-listener")).isEmpty();
    }

    @Test
    void connectFailsClearlyWhenZooKeeperIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String connectString = "127.0.0.1:" + closedPort;

        assertThatThrownBy(() -> MetadataStore.connect(connectString, 500))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(connectString)
                .hasMessageContaining("500 ms");
    }

    private MetadataStore storeWithBrokers(int... ids) throws Exception {
        MetadataStore store = connectAndKeep();
        for (int id : ids) {
            store.registerBroker(new BrokerRegistration(id, "localhost", 9091 + id, null));
        }
        return store;
    }

    private MetadataStore connectAndKeep() throws Exception {
        MetadataStore store = connect();
        resources.push(store);
        return store;
    }

    private MetadataStore connect() throws Exception {
        return MetadataStore.connect(zk.getConnectString(), SESSION_TIMEOUT_MS);
    }

    private CuratorFramework rawClient() throws InterruptedException {
        CuratorFramework raw = CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        raw.start();
        raw.blockUntilConnected();
        return raw;
    }

    private static JsonNode readJson(CuratorFramework raw, String path) throws Exception {
        return JSON.readTree(raw.getData().forPath(path));
    }

    private static Time fixedClock(long nowMs) {
        return new Time() {
            @Override
            public long milliseconds() {
                return nowMs;
            }

            @Override
            public long nanoseconds() {
                return Time.SYSTEM.nanoseconds();
            }

            @Override
            public void sleep(long ms) {
                Time.SYSTEM.sleep(ms);
            }
        };
    }
}
