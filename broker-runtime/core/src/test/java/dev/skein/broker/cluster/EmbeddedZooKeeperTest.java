package dev.skein.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedZooKeeperTest {
    private static final int SESSION_TIMEOUT_MS = 2000;

    @TempDir
    Path dataDir;

    @Test
    void startsAndStopsTwiceWithoutLeakingThreads() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();

        for (int round = 0; round < 2; round++) {
            try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dataDir, 0)) {
                assertThat(zk.port()).isPositive();
                assertThat(zk.connectString()).isEqualTo("127.0.0.1:" + zk.port());
                try (MetadataStore store = MetadataStore.connect(zk.connectString(), SESSION_TIMEOUT_MS)) {
                    assertThat(store.clusterId("skein")).isEqualTo("skein");
                }
            }
        }

        Set<String> leaked = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> !before.contains(thread) && thread.isAlive())
                .map(Thread::getName)
                .collect(Collectors.toSet());
        assertThat(leaked).isEmpty();
    }

    @Test
    void portInUseFailsNamingThePortAndTheConfigKey(@TempDir Path otherDir) throws Exception {
        try (EmbeddedZooKeeper first = EmbeddedZooKeeper.start(dataDir, 0)) {
            assertThatThrownBy(() -> EmbeddedZooKeeper.start(otherDir, first.port()))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(Integer.toString(first.port()))
                    .hasMessageContaining("skein.zookeeper.embedded.port");
        }
    }

    @Test
    void metadataSurvivesServerRestartOnTheSameDataDir() throws Exception {
        TopicDescription created;
        String clusterId;
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dataDir, 0);
                MetadataStore store = MetadataStore.connect(zk.connectString(), SESSION_TIMEOUT_MS)) {
            clusterId = store.clusterId("");
            store.registerBroker(new BrokerRegistration(1, "localhost", 9092, null));
            created = store.createTopic("orders", 3, (short) 1, Map.of("retention.ms", "60000"));
        }

        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dataDir, 0);
                MetadataStore store = MetadataStore.connect(zk.connectString(), SESSION_TIMEOUT_MS)) {
            assertThat(store.clusterId("other")).isEqualTo(clusterId);
            assertThat(store.topic("orders")).contains(created);
            assertThat(store.topic(created.topicId())).contains(created);
            assertThat(store.liveBrokers()).isEmpty();
        }
    }

    @Test
    void registrationLeftByACrashedBrokerIsWaitedOut() throws Exception {
        BrokerRegistration broker = new BrokerRegistration(1, "localhost", 9092, null);
        EmbeddedZooKeeper firstServer = EmbeddedZooKeeper.start(dataDir, 0);
        MetadataStore crashed = MetadataStore.connect(firstServer.connectString(), SESSION_TIMEOUT_MS);
        try {
            crashed.registerBroker(broker);
            // The server goes away with the session still open: after the restart the registration is owned by a
            // session that nobody will ever resume, exactly what a crashed broker leaves behind.
            firstServer.close();

            try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start(dataDir, 0);
                    MetadataStore restarted = MetadataStore.connect(zk.connectString(), SESSION_TIMEOUT_MS)) {
                restarted.registerBroker(broker);

                assertThat(restarted.liveBrokers()).containsExactly(broker);
            }
        } finally {
            crashed.close();
        }
    }
}
