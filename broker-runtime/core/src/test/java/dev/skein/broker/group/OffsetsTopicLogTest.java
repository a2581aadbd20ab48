package dev.skein.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.config.BrokerConfig;
import dev.skein.broker.log.LogManager;
import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.PartitionRegistry;
import dev.skein.testkit.time.ManualTime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offset commits on a real {@code __consumer_offsets} partition log while its leadership moves. */
class OffsetsTopicLogTest {
    private static final TopicPartition TP = new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, 0);
    private static final Uuid TOPIC_ID = Uuid.randomUuid();

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private LogManager logs;
    private PartitionRegistry registry;
    private OffsetsTopicLog offsets;
    private int zkVersion;

    @BeforeEach
    void open() throws Exception {
        logs = LogManager.open(dir, time, scheduler, 3_600_000L, 3_600_000L, 3_600_000L);
        registry = new PartitionRegistry(1, BrokerConfig.from(Map.of()).logDefaults(), logs, time);
        offsets = new OffsetsTopicLog(registry);
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

    private static SimpleRecord commit(String value) {
        return new SimpleRecord(1000L, "key".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void commitFailsWhenLeadershipMovesEvenIfTheHighWatermarkLaterPassesIt() {
        state(1, 0, List.of(1, 2));
        CompletableFuture<Void> commit = offsets.append(0, List.of(commit("epoch-0")));
        assertThat(commit).as("follower 2 does not have it yet").isNotDone();

        // Broker 2 leads epoch 1 without the commit; this broker truncates and replicates its log, whose high
        // watermark then passes the offset the commit waited for.
        Partition partition = state(2, 1, List.of(2, 1));
        partition.truncateAsFollower(0, 1);
        partition.appendAsFollower(MemoryRecords.withRecords(0L, Compression.NONE, 1, commit("from-leader-2")), 1, 1);

        assertThat(commit.handle((ok, e) -> e))
                .as("the lost commit is answered with an error the client retries")
                .isCompletedWithValueMatching(NotLeaderOrFollowerException.class::isInstance);
    }

    @Test
    void commitEndingAtAReusedOffsetDoesNotOrphanTheEarlierOne() {
        state(1, 0, List.of(1, 2));
        CompletableFuture<Void> first = offsets.append(0, List.of(commit("epoch-0")));
        Partition partition = state(2, 1, List.of(2, 1));
        partition.truncateAsFollower(0, 1);
        // Leadership comes back (epoch 2); the new commit ends at the same offset as the lost one.
        state(1, 2, List.of(1, 2));
        CompletableFuture<Void> second = offsets.append(0, List.of(commit("epoch-2")));
        assertThat(second).isNotDone();

        registry.recordFollowerFetch(partition, 2, 1);

        assertThat(second).isCompleted();
        assertThat(first.handle((ok, e) -> e))
                .as("every waiter is answered")
                .isCompletedWithValueMatching(NotLeaderOrFollowerException.class::isInstance);
    }

    @Test
    void loadReplaysToTheLogEndAboveTheHighWatermark() {
        state(1, 0, List.of(1, 2));
        offsets.append(0, List.of(commit("a"), commit("b")));
        assertThat(registry.get(TP).orElseThrow().log().highWatermark()).isZero();

        assertThat(replay()).containsExactly("a@-1", "b@-1");
    }

    @Test
    void replayReportsTransactionalRecordsWithTheirProducerAndTheMarkersBetweenThem() {
        Partition partition = state(1, 0, List.of(1));
        offsets.appendTransactional(0, 7L, (short) 2, List.of(commit("txn-a"), commit("txn-b")));
        offsets.append(0, List.of(commit("plain")));
        partition.appendAsLeader(
                MemoryRecords.withEndTransactionMarker(
                        time.milliseconds(), 7L, (short) 2, new EndTransactionMarker(ControlRecordType.ABORT, 0)),
                (short) -1);
        offsets.appendTransactional(0, 7L, (short) 2, List.of(commit("txn-c")));
        partition.appendAsLeader(
                MemoryRecords.withEndTransactionMarker(
                        time.milliseconds(), 7L, (short) 2, new EndTransactionMarker(ControlRecordType.COMMIT, 0)),
                (short) -1);

        assertThat(replay())
                .containsExactly("txn-a@7", "txn-b@7", "plain@-1", "ABORT 7 at 3", "txn-c@7", "COMMIT 7 at 5");
        assertThat(registry.get(TP).orElseThrow().log().logEndOffset()).isEqualTo(6);
        RecordBatch first = partition
                .log()
                .read(0, 1 << 20, 6, true)
                .records()
                .batches()
                .iterator()
                .next();
        first.ensureValid();
        assertThat(first.isTransactional()).isTrue();
        assertThat(first.producerId()).isEqualTo(7L);
        assertThat(first.producerEpoch()).isEqualTo((short) 2);
        assertThat(first.baseSequence()).isEqualTo(RecordBatch.NO_SEQUENCE);
    }

    @Test
    void aTransactionalWriteOfAnOlderEpochIsRefused() {
        state(1, 0, List.of(1));
        offsets.appendTransactional(0, 7L, (short) 3, List.of(commit("new"))).join();
        assertThat(offsets.appendTransactional(0, 7L, (short) 2, List.of(commit("zombie")))
                        .handle((ok, e) -> e))
                .isCompletedWithValueMatching(InvalidProducerEpochException.class::isInstance);
    }

    /** The replay as strings: "value@transactional producer id" and "COMMIT|ABORT producer at offset". */
    private List<String> replay() {
        List<String> replayed = new ArrayList<>();
        offsets.replay(0, new CoordinatorLog.ReplaySink() {
            @Override
            public void record(Record record, long transactionalProducerId) {
                replayed.add(StandardCharsets.UTF_8.decode(record.value()) + "@" + transactionalProducerId);
            }

            @Override
            public void marker(long offset, long producerId, boolean commit) {
                replayed.add((commit ? "COMMIT " : "ABORT ") + producerId + " at " + offset);
            }
        });
        return replayed;
    }
}
