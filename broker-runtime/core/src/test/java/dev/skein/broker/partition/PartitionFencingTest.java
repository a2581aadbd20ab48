package dev.skein.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.log.LogConfig;
import dev.skein.broker.log.LogManager;
import dev.skein.broker.log.PartitionLog;
import dev.skein.testkit.time.ManualTime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leadership fencing of a partition: leader appends against leadership changes, and what acks=all may answer once
 * the high watermark covers an append.
 */
class PartitionFencingTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);
    private static final long WAIT_MS = 10_000;

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Purgatory purgatory = new Purgatory(scheduler);
    private final AtomicBoolean sessionLive = new AtomicBoolean(true);
    private LogManager logs;

    @BeforeEach
    void open() throws Exception {
        logs = LogManager.open(dir, time, scheduler, 3_600_000L, 3_600_000L, 3_600_000L);
    }

    @AfterEach
    void close() {
        logs.close();
        scheduler.shutdownNow();
    }

    private Partition partition(PartitionState state, Map<String, String> topicConfig) throws Exception {
        Partition partition = new Partition(
                TP,
                Uuid.randomUuid(),
                logs.getOrCreate(TP, LogConfig.of(Map.of(), topicConfig)),
                1,
                state,
                time,
                purgatory::checkAndComplete,
                purgatory::checkAndComplete,
                sessionLive::get);
        partition.updateState(state);
        return partition;
    }

    private static PartitionState state(int leader, int epoch, List<Integer> isr, int zkVersion) {
        return new PartitionState(0, List.of(1, 2, 3), leader, epoch, isr, zkVersion, 1);
    }

    private static MemoryRecords records(int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(1000L, null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    private static void awaitThread(Thread thread, Predicate<Thread.State> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.test(thread.getState())) {
            assertThat(System.nanoTime())
                    .as("thread state of " + thread.getName())
                    .isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    @Test
    void becomingFollowerWaitsForALeaderAppendStuckBehindTheLogLock() throws Exception {
        Partition partition = partition(state(1, 3, List.of(1, 2), 0), Map.of());
        Thread append = new Thread(() -> partition.appendAsLeader(records(5), (short) 1), "append");
        Thread becomeFollower = new Thread(() -> partition.updateState(state(2, 4, List.of(2), 1)), "follower");
        synchronized (partition.log()) {
            // The test holds the log's lock as a checkpoint or flush would: the append has checked leadership
            // and now waits for the log.
            append.start();
            awaitThread(append, s -> s == Thread.State.BLOCKED);
            becomeFollower.start();
            awaitThread(becomeFollower, s -> s == Thread.State.WAITING || s == Thread.State.TERMINATED);
            assertThat(becomeFollower.getState())
                    .as("the leadership change waits for the in-flight leader append")
                    .isNotEqualTo(Thread.State.TERMINATED);
            assertThat(partition.isLeader()).isTrue();
        }
        append.join(WAIT_MS);
        becomeFollower.join(WAIT_MS);
        assertThat(partition.isLeader()).isFalse();
        // The new leader (epoch 4) has nothing from epoch 3: the follower's truncation removes the records appended
        // as leader, and nothing of epoch 3 lands afterwards.
        assertThat(partition.truncateAsFollower(0, 4)).isTrue();
        assertThat(partition.log().logEndOffset()).isZero();
        assertThat(partition.log().latestEpoch()).isEmpty();
    }

    @Test
    void acksAllAnswersNotEnoughReplicasAfterAppendWhenTheIsrShrankWhileWaiting() throws Exception {
        Partition partition = partition(state(1, 3, List.of(1, 2), 0), Map.of("min.insync.replicas", "2"));
        ReplicationWaits waits = new ReplicationWaits(purgatory);
        Partition.LeaderAppend appended = partition.appendAsLeader(records(3), (short) -1);
        CompletableFuture<Errors> ack = waits.awaitHighWatermark(
                partition, appended.leaderEpoch(), appended.result().lastOffset() + 1, WAIT_MS);
        assertThat(ack).isNotDone();

        // Follower 2 is dropped from the ISR: the leader alone is the ISR and its log end the high watermark.
        partition.updateState(state(1, 3, List.of(1), 1));

        assertThat(partition.log().highWatermark()).isEqualTo(3);
        assertThat(ack.get(WAIT_MS, TimeUnit.MILLISECONDS)).isEqualTo(Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
    }

    @Test
    void acksAllFastPathAnswersNotLeaderWhenLeadershipMovedBeforeTheCheck() throws Exception {
        Partition partition = partition(state(1, 3, List.of(1), 0), Map.of());
        Partition.LeaderAppend appended = partition.appendAsLeader(records(1), (short) -1);
        partition.updateState(state(2, 4, List.of(2), 1));

        CompletableFuture<Errors> ack = new ReplicationWaits(purgatory)
                .awaitHighWatermark(
                        partition, appended.leaderEpoch(), appended.result().lastOffset() + 1, WAIT_MS);

        assertThat(ack).isCompletedWithValue(Errors.NOT_LEADER_OR_FOLLOWER);
    }

    @Test
    void acksAllIsNotAcknowledgedWhileTheZooKeeperSessionIsLost() throws Exception {
        Partition partition = partition(state(1, 3, List.of(1, 2), 0), Map.of());
        ReplicationWaits waits = new ReplicationWaits(purgatory);
        Partition.LeaderAppend appended = partition.appendAsLeader(records(2), (short) -1);
        CompletableFuture<Errors> ack = waits.awaitHighWatermark(
                partition, appended.leaderEpoch(), appended.result().lastOffset() + 1, WAIT_MS);

        sessionLive.set(false);
        partition.recordFollowerFetch(2, 2);
        assertThat(partition.log().highWatermark()).isEqualTo(2);
        assertThat(ack).as("a leader without a session may have been replaced").isNotDone();

        sessionLive.set(true);
        purgatory.checkAndComplete(TP);
        assertThat(ack).isCompletedWithValue(Errors.NONE);
    }

    @Test
    void followerFetchWhoseLastEpochEndsEarlierOnTheLeaderIsToldWhereItDiverged() throws Exception {
        Partition partition = partition(state(1, 2, List.of(1, 2), 0), Map.of());
        partition.log().append(records(10), 1);
        partition.log().append(records(10), 2);

        assertThat(partition.divergingEpoch(1, 10))
                .as("a prefix of the leader's log")
                .isEmpty();
        assertThat(partition.divergingEpoch(2, 20)).isEmpty();
        assertThat(partition.divergingEpoch(-1, 15))
                .as("no epoch sent (Fetch < v12)")
                .isEmpty();
        // The follower kept epoch-1 records up to 15, but epoch 1 ends at 10 here.
        assertThat(partition.divergingEpoch(1, 15)).hasValue(new PartitionLog.EpochEndOffset(1, 10));
        // An epoch this leader never had: its largest epoch below and that epoch's end.
        assertThat(partition.divergingEpoch(3, 25)).hasValue(new PartitionLog.EpochEndOffset(2, 20));
    }
}
