package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skein.broker.Broker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * acks=all produce requests parked in the purgatory are dropped as soon as their connection closes: a client that
 * sends them with a long timeout and goes away leaves no parked wait, response or records held by the broker. The
 * waits are made to park by cutting the single broker off from ZooKeeper (a leader without a live session
 * acknowledges no acks=all write); before the fix each stayed parked until its 120 s timeout.
 */
class ParkedProduceCleanupIT {
    private static final int CONNECTIONS = 40;

    @TempDir
    Path dir;

    @Test
    void acksAllWaitsAreDroppedWhenTheirConnectionsClose() throws Exception {
        try (ClusterHarness cluster = ClusterHarness.start(dir, 1, Map.of())) {
            TopicPartition tp = new TopicPartition("parked", 0);
            cluster.createTopic(tp.topic(), 1, 1, Map.of());
            cluster.awaitLeader(tp);
            Broker broker = cluster.broker(1);

            cluster.stopZooKeeper();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> !broker.partitions().metadataSessionLive());
            List<RawConnection> producers = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                RawConnection raw = new RawConnection(broker.port());
                producers.add(raw);
                ProduceRequest request = acksAllProduce(tp, "parked-" + i);
                raw.writeFrame(request.serializeWithHeader(
                        new RequestHeader(request.apiKey(), request.version(), "parked-producer", i)));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> broker.fetchPurgatorySize() == CONNECTIONS);

            for (RawConnection raw : producers) {
                raw.close();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> broker.fetchPurgatorySize() == 0);
            assertThat(broker.fetchPurgatorySize()).isZero();
            cluster.restartZooKeeper();
        }
    }

    private static ProduceRequest acksAllProduce(TopicPartition tp, String value) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(120_000);
        ProduceRequestData.TopicProduceData topic = new ProduceRequestData.TopicProduceData().setName(tp.topic());
        topic.partitionData()
                .add(new ProduceRequestData.PartitionProduceData()
                        .setIndex(tp.partition())
                        .setRecords(AbusiveRequests.plain(value)));
        data.topicData().add(topic);
        return new ProduceRequest(data, AbusiveRequests.PRODUCE_VERSION);
    }
}
