package dev.skein.broker.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.log.LogConfig;
import dev.skein.broker.log.LogManager;
import dev.skein.testkit.time.ManualTime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionReplicationTest {
    private static final long LAG_MAX_MS = 30_000;
    private static final TopicPartition TP = new TopicPartition("t", 0);

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final List<TopicPartition> changes = new ArrayList<>();
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

    private Partition leader(List<Integer> isr, Map<String, String> topicConfig) throws Exception {
        PartitionState state = new PartitionState(0, List.of(1, 2, 3), 1, 3, isr, 0, 1);
        Partition partition = new Partition(
                TP,
                Uuid.randomUuid(),
                logs.getOrCreate(TP, LogConfig.of(Map.of(), topicConfig)),
                1,
                state,
                time,
                changes::add);
        partition.updateState(state);
        return partition;
    }

    private static MemoryRecords records(int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(1000L, null, ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    private static PartitionState withIsr(PartitionState state, List<Integer> isr) {
        return new PartitionState(
                0, state.replicas(), state.leader(), state.leaderEpoch(), isr, state.zkVersion() + 1, 1);
    }

    @Test
    void highWatermarkIsTheSmallestLogEndOverTheIsr() throws Exception {
        Partition partition = leader(List.of(1, 2, 3), Map.of());
        partition.appendAsLeader(records(5), (short) -1);
        assertThat(partition.log().highWatermark()).isZero();

        partition.recordFollowerFetch(2, 5);
        assertThat(partition.log().highWatermark()).as("follower 3 unheard of").isZero();
        partition.recordFollowerFetch(3, 3);
        assertThat(partition.log().highWatermark()).isEqualTo(3);
        partition.recordFollowerFetch(3, 5);
        assertThat(partition.log().highWatermark()).isEqualTo(5);
    }

    @Test
    void followerLeavesIsrAfterLagAndRejoinsOnceCaughtUp() throws Exception {
        Partition partition = leader(List.of(1, 2), Map.of());
        partition.recordFollowerFetch(2, 0);
        partition.appendAsLeader(records(4), (short) -1);
        time.sleep(LAG_MAX_MS);
        assertThat(partition.proposedIsr(LAG_MAX_MS))
                .as("lagging exactly the limit")
                .isEmpty();

        time.sleep(1);
        Partition.IsrChange shrink = partition.proposedIsr(LAG_MAX_MS).orElseThrow();
        assertThat(shrink.isr()).containsExactly(1);
        partition.updateState(withIsr(shrink.from(), shrink.isr()));
        assertThat(partition.log().highWatermark()).as("sole in-sync leader").isEqualTo(4);

        assertThat(partition.recordFollowerFetch(2, 2))
                .as("still behind the high watermark")
                .isFalse();
        assertThat(partition.recordFollowerFetch(2, 4)).isTrue();
        Partition.IsrChange expand = partition.proposedIsr(LAG_MAX_MS).orElseThrow();
        assertThat(expand.isr()).containsExactly(1, 2);
    }

    @Test
    void followerFetchingSteadilyBehindALoadedLeaderStaysInSync() throws Exception {
        Partition partition = leader(List.of(1, 2), Map.of());
        partition.recordFollowerFetch(2, 0);
        for (int round = 0; round < 10; round++) {
            long before = partition.log().logEndOffset();
            partition.appendAsLeader(records(2), (short) 1);
            time.sleep(LAG_MAX_MS / 4);
            // Each fetch brings everything the leader had at the previous fetch, never the very end.
            partition.recordFollowerFetch(2, before);
        }
        assertThat(partition.proposedIsr(LAG_MAX_MS)).isEmpty();
    }

    @Test
    void acksAllIsRefusedBelowMinInsyncReplicas() throws Exception {
        Partition partition = leader(List.of(1), Map.of("min.insync.replicas", "2"));

        assertThatThrownBy(() -> partition.appendAsLeader(records(1), (short) -1))
                .isInstanceOf(NotEnoughReplicasException.class);
        assertThat(partition.appendAsLeader(records(1), (short) 1).result().firstOffset())
                .isZero();
    }

    @Test
    void ignoresStateFromOlderControllerEpoch() throws Exception {
        Partition partition = leader(List.of(1, 2), Map.of());
        PartitionState zombie = new PartitionState(0, List.of(1, 2, 3), 2, 9, List.of(2), 5, 0);

        assertThat(partition.updateState(zombie)).isFalse();
        assertThat(partition.isLeader()).isTrue();
        assertThat(partition.leaderEpoch()).isEqualTo(3);
    }

    @Test
    void highWatermarkWaitsForAReplicaWhoseIsrJoinIsBeingWritten() throws Exception {
        Partition partition = leader(List.of(1, 2), Map.of());
        partition.appendAsLeader(records(4), (short) 1);
        partition.recordFollowerFetch(2, 4);
        assertThat(partition.recordFollowerFetch(3, 4)).as("3 may join").isTrue();
        Partition.IsrChange expand = partition.proposedIsr(LAG_MAX_MS).orElseThrow();
        assertThat(expand.isr()).containsExactly(1, 2, 3);
        // Written to ZooKeeper; the watch has not brought it back yet, but the controller may already elect 3.
        partition.isrChangeSent(expand, expand.isr());

        partition.appendAsLeader(records(4), (short) 1);
        partition.recordFollowerFetch(2, 8);
        assertThat(partition.log().highWatermark())
                .as("replica 3, in the ISR as ZooKeeper has it, has only 4")
                .isEqualTo(4);
        assertThat(partition.proposedIsr(LAG_MAX_MS))
                .as("one change in flight at a time")
                .isEmpty();

        partition.recordFollowerFetch(3, 8);
        assertThat(partition.log().highWatermark()).isEqualTo(8);
        partition.updateState(withIsr(expand.from(), expand.isr()));
        assertThat(partition.maximalIsr()).containsExactly(1, 2, 3);
    }

    @Test
    void followerFetchingBeyondTheLeadersLogEndIsNotCountedAsCaughtUp() throws Exception {
        Partition partition = leader(List.of(1), Map.of());
        partition.appendAsLeader(records(4), (short) 1);

        // Follower 3 kept records the leader never had (diverged): its fetch gets OFFSET_OUT_OF_RANGE.
        assertThat(partition.recordFollowerFetch(3, 9))
                .as("not eligible to join the ISR")
                .isFalse();
        assertThat(partition.proposedIsr(LAG_MAX_MS)).isEmpty();
    }
}
