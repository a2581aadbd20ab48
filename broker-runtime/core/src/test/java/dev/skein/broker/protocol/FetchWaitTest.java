package dev.skein.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.log.LogManager;
import dev.skein.broker.metrics.BrokerMetrics;
import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.PartitionRegistry;
import dev.skein.broker.partition.Purgatory;
import dev.skein.testkit.time.ManualTime;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fetch parked for {@code min.bytes} is woken by every append, but deciding whether it may go reads no records: the
 * partition is read once, when the fetch is answered.
 */
class FetchWaitTest {
    private static final TopicPartition TP = new TopicPartition("waited", 0);
    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private LogManager logs;
    private PartitionRegistry registry;
    private FetchApi api;

    @BeforeEach
    void open() throws Exception {
        logs = LogManager.open(dir, time, scheduler, 3_600_000L, 3_600_000L, 3_600_000L);
        registry = new PartitionRegistry(1, BrokerConfig.from(Map.of()).logDefaults(), logs, time);
        Purgatory purgatory = new Purgatory(scheduler);
        registry.addHighWatermarkListener(purgatory::checkAndComplete);
        registry.addLogEndListener(purgatory::checkAndComplete);
        api = new FetchApi(Map::of, registry, purgatory, new BrokerMetrics(time), 60_000);
        PartitionState state = new PartitionState(0, List.of(1), 1, 0, List.of(1), 0, 1);
        registry.apply(new TopicDescription(TP.topic(), TOPIC_ID, Map.of(0, state), Map.of()));
    }

    @AfterEach
    void close() {
        logs.close();
        scheduler.shutdownNow();
    }

    private static MemoryRecords batch(int i) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(1000L + i, null, new byte[100]));
    }

    private CompletableFuture<AbstractResponse> fetch(long offset, int minBytes) {
        Map<TopicPartition, FetchRequest.PartitionData> wanted = new LinkedHashMap<>();
        wanted.put(TP, new FetchRequest.PartitionData(Uuid.ZERO_UUID, offset, 0L, 1 << 20, Optional.empty()));
        FetchRequest request = FetchRequest.Builder.forConsumer((short) 12, 60_000, minBytes, wanted)
                .build((short) 12);
        RequestContext context = new RequestContext(
                new RequestHeader(ApiKeys.FETCH, (short) 12, "test", 1), "test", InetAddress.getLoopbackAddress());
        return api.handle(context, request);
    }

    @Test
    void parkedFetchWaitsForMinBytesWithoutReadingRecordsAndReadsOnceWhenAnswered() {
        Partition partition = registry.get(TP).orElseThrow();
        int batchBytes = batch(0).sizeInBytes();
        partition.appendAsLeader(batch(0), (short) 1);

        CompletableFuture<AbstractResponse> parked = fetch(1, 3 * batchBytes);
        assertThat(parked).isNotDone();
        partition.appendAsLeader(batch(1), (short) 1);
        partition.appendAsLeader(batch(2), (short) 1);
        assertThat(parked).as("two batches are less than min.bytes").isNotDone();
        assertThat(api.logReads()).as("the wait checks read no records").isZero();

        partition.appendAsLeader(batch(3), (short) 1);
        FetchResponseData.PartitionData answer = ((FetchResponse) parked.join())
                .data()
                .responses()
                .get(0)
                .partitions()
                .get(0);
        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.NONE);
        assertThat(answer.records().sizeInBytes()).isEqualTo(3 * batchBytes);
        assertThat(answer.highWatermark()).isEqualTo(4);
        assertThat(api.logReads()).as("one read, when the fetch is answered").isEqualTo(1);
    }

    @Test
    void fetchWithDataAtHandReadsOnce() {
        Partition partition = registry.get(TP).orElseThrow();
        partition.appendAsLeader(batch(0), (short) 1);
        partition.appendAsLeader(batch(1), (short) 1);

        FetchResponseData.PartitionData answer = ((FetchResponse) fetch(0, 1).join())
                .data()
                .responses()
                .get(0)
                .partitions()
                .get(0);
        assertThat(answer.records().sizeInBytes()).isEqualTo(2 * batch(0).sizeInBytes());
        assertThat(api.logReads()).isEqualTo(1);
    }

    @Test
    void parkedFetchGoesAtOnceWhenLeadershipMoves() {
        CompletableFuture<AbstractResponse> parked = fetch(0, 1);
        assertThat(parked).isNotDone();
        PartitionState follower = new PartitionState(0, List.of(1, 2), 2, 1, List.of(1, 2), 1, 1);
        registry.apply(new TopicDescription(TP.topic(), TOPIC_ID, Map.of(0, follower), Map.of()));
        FetchResponseData.PartitionData answer = ((FetchResponse) parked.join())
                .data()
                .responses()
                .get(0)
                .partitions()
                .get(0);
        assertThat(Errors.forCode(answer.errorCode())).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER);
    }
}
