package dev.skein.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.log.LogManager;
import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.PartitionRegistry;
import dev.skein.testkit.time.ManualTime;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The latest offset a client sees never goes backwards when leadership moves (OFFSET_NOT_AVAILABLE meanwhile). */
class ListOffsetsLeaderChangeTest {
    private static final TopicPartition TP = new TopicPartition("moving", 0);
    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private LogManager logs;
    private PartitionRegistry registry;
    private int zkVersion;

    @BeforeEach
    void open() throws Exception {
        logs = LogManager.open(dir, time, scheduler, 3_600_000L, 3_600_000L, 3_600_000L);
        registry = new PartitionRegistry(1, BrokerConfig.from(Map.of()).logDefaults(), logs, time);
    }

    @AfterEach
    void close() {
        logs.close();
        scheduler.shutdownNow();
    }

    private Partition state(int leader, int epoch, List<Integer> isr) {
        PartitionState state = new PartitionState(0, List.of(1, 2), leader, epoch, isr, zkVersion++, 1);
        registry.apply(new TopicDescription(TP.topic(), TOPIC_ID, Map.of(0, state), Map.of()));
        return registry.get(TP).orElseThrow();
    }

    private ListOffsetsPartitionResponse latest() {
        ListOffsetsRequest request = ListOffsetsRequest.Builder.forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
                .setTargetTimes(List.of(new ListOffsetsTopic()
                        .setName(TP.topic())
                        .setPartitions(List.of(new ListOffsetsPartition()
                                .setPartitionIndex(0)
                                .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP)))))
                .build((short) 7);
        RequestContext context = new RequestContext(
                new RequestHeader(ApiKeys.LIST_OFFSETS, (short) 7, "test", 1),
                "test",
                InetAddress.getLoopbackAddress());
        ListOffsetsResponse response = (ListOffsetsResponse) new ListOffsetsApi(new LeaderLookup(registry))
                .handle(context, request)
                .join();
        return response.data().topics().get(0).partitions().get(0);
    }

    @Test
    void newLeaderWhoseHighWatermarkLagsItsEpochStartAnswersOffsetNotAvailable() {
        // As follower of broker 2 (epoch 0): 5 records replicated, the leader's high watermark 2 learnt so far
        // (clients of broker 2 may already have seen 5).
        Partition partition = state(2, 0, List.of(2, 1));
        SimpleRecord[] records = new SimpleRecord[5];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(1000L, null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        partition.appendAsFollower(MemoryRecords.withRecords(0L, Compression.NONE, 0, records), 0, 2);

        state(1, 1, List.of(1, 2));
        assertThat(partition.log().highWatermark()).isEqualTo(2);
        assertThat(Errors.forCode(latest().errorCode())).isEqualTo(Errors.OFFSET_NOT_AVAILABLE);

        registry.recordFollowerFetch(partition, 2, 5);
        ListOffsetsPartitionResponse caughtUp = latest();
        assertThat(Errors.forCode(caughtUp.errorCode())).isEqualTo(Errors.NONE);
        assertThat(caughtUp.offset()).isEqualTo(5);
    }
}
