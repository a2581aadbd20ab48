package dev.skein.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.log.LogManager;
import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.PartitionRegistry;
import dev.skein.broker.partition.Purgatory;
import dev.skein.broker.partition.ReplicationWaits;
import dev.skein.testkit.time.ManualTime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One WriteTxnMarkers request with the markers of several transactions on a leader whose follower must catch up: every
 * marker is appended at once, each partition parks one replication wait (not one per marker), and the answer gives
 * every producer its partitions' errors once the follower has them, the listener told of each marker in log order.
 */
class WriteTxnMarkersBatchTest {
    private static final TopicPartition P0 = new TopicPartition("data", 0);
    private static final TopicPartition P1 = new TopicPartition("data", 1);
    private static final TopicPartition OTHER = new TopicPartition("data", 2);

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<String> committed = new CopyOnWriteArrayList<>();
    private LogManager logs;
    private PartitionRegistry registry;
    private ReplicationWaits waits;
    private WriteTxnMarkersApi api;

    @BeforeEach
    void open() throws Exception {
        logs = LogManager.open(dir, time, scheduler, 3_600_000L, 3_600_000L, 3_600_000L);
        registry = new PartitionRegistry(1, BrokerConfig.from(Map.of()).logDefaults(), logs, time);
        Purgatory purgatory = new Purgatory(scheduler);
        registry.addHighWatermarkListener(purgatory::checkAndComplete);
        waits = new ReplicationWaits(purgatory);
        // broker 1 leads partitions 0 and 1 with broker 2 in sync; broker 2 leads partition 2
        registry.apply(new TopicDescription(
                "data",
                Uuid.randomUuid(),
                Map.of(
                        0, new PartitionState(0, List.of(1, 2), 1, 0, List.of(1, 2), 0, 1),
                        1, new PartitionState(1, List.of(1, 2), 1, 0, List.of(1, 2), 0, 1),
                        2, new PartitionState(2, List.of(2, 1), 2, 0, List.of(2, 1), 0, 1)),
                Map.of()));
        api = new WriteTxnMarkersApi(
                new LeaderLookup(registry),
                waits,
                (tp, producerId, epoch, commit) -> committed.add(tp.partition() + ":" + producerId + ":" + commit),
                30_000);
    }

    @AfterEach
    void close() {
        logs.close();
        scheduler.shutdownNow();
    }

    private static WritableTxnMarker marker(long producerId, boolean commit, TopicPartition... partitions) {
        WritableTxnMarkerTopic topic = new WritableTxnMarkerTopic().setName("data");
        for (TopicPartition tp : partitions) {
            topic.partitionIndexes().add(tp.partition());
        }
        return new WritableTxnMarker()
                .setProducerId(producerId)
                .setProducerEpoch((short) 0)
                .setTransactionResult(commit)
                .setCoordinatorEpoch(5)
                .setTopics(new ArrayList<>(List.of(topic)));
    }

    @Test
    void manyMarkersAreAppendedAtOnceAndWaitOncePerPartition() {
        WriteTxnMarkersRequestData request = new WriteTxnMarkersRequestData()
                .setMarkers(new ArrayList<>(
                        List.of(marker(10, true, P0, P1), marker(11, false, P0), marker(12, true, P0, OTHER))));

        CompletableFuture<WriteTxnMarkersResponse> answer = api.write(request);

        Partition p0 = registry.get(P0).orElseThrow();
        Partition p1 = registry.get(P1).orElseThrow();
        assertThat(p0.log().logEndOffset()).as("three control batches").isEqualTo(3);
        assertThat(p1.log().logEndOffset()).isEqualTo(1);
        assertThat(waits.size()).as("one parked wait per partition").isEqualTo(2);
        assertThat(answer).isNotDone();

        registry.recordFollowerFetch(p1, 2, 1);
        assertThat(committed).containsExactly("1:10:true");
        assertThat(answer).as("partition 0 still waits").isNotDone();
        registry.recordFollowerFetch(p0, 2, 2);
        assertThat(answer)
                .as("the follower has only two of partition 0's three markers")
                .isNotDone();
        registry.recordFollowerFetch(p0, 2, 3);

        assertThat(answer).isDone();
        Map<Long, Map<TopicPartition, Errors>> errors = answer.join().errorsByProducerId();
        assertThat(errors.get(10L)).containsOnly(Map.entry(P0, Errors.NONE), Map.entry(P1, Errors.NONE));
        assertThat(errors.get(11L)).containsOnly(Map.entry(P0, Errors.NONE));
        assertThat(errors.get(12L))
                .containsOnly(Map.entry(P0, Errors.NONE), Map.entry(OTHER, Errors.NOT_LEADER_OR_FOLLOWER));
        assertThat(committed).containsExactly("1:10:true", "0:10:true", "0:11:false", "0:12:true");
        assertThat(waits.size()).isZero();
    }
}
