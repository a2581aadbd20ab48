package dev.skein.broker.replica;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.log.LogConfig;
import dev.skein.broker.log.LogManager;
import dev.skein.broker.log.PartitionLog;
import dev.skein.testkit.time.ManualTime;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a follower truncates after a leader change (KIP-101 and KIP-279's rounds), against a real leader log. */
class FollowerTruncationTest {
    private static final TopicPartition TP = new TopicPartition("t", 0);

    @TempDir
    Path leaderDir;

    @TempDir
    Path followerDir;

    private final ManualTime time = new ManualTime();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private LogManager leaderLogs;
    private LogManager followerLogs;

    @BeforeEach
    void open() throws Exception {
        leaderLogs = LogManager.open(leaderDir, time, scheduler, 3_600_000L, 3_600_000L, 3_600_000L);
        followerLogs = LogManager.open(followerDir, time, scheduler, 3_600_000L, 3_600_000L, 3_600_000L);
    }

    @AfterEach
    void close() {
        leaderLogs.close();
        followerLogs.close();
        scheduler.shutdownNow();
    }

    /**
     * A log whose epochs start where {@code epochStarts} says (pairs epoch, start offset) and ends at {@code end}, in
     * batches of 10 records (truncation removes whole batches).
     */
    private static PartitionLog log(LogManager logs, long end, int... epochStarts) throws Exception {
        PartitionLog log = logs.getOrCreate(TP, LogConfig.of(Map.of(), Map.of()));
        for (int i = 0; i < epochStarts.length; i += 2) {
            long next = i + 2 < epochStarts.length ? epochStarts[i + 3] : end;
            for (long offset = epochStarts[i + 1]; offset < next; offset += 10) {
                log.append(records((int) Math.min(10, next - offset), epochStarts[i]), epochStarts[i]);
            }
        }
        assertThat(log.logEndOffset()).isEqualTo(end);
        return log;
    }

    private static MemoryRecords records(int count, int tag) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(1000L, null, ("e" + tag + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(Compression.NONE, records);
    }

    /** Runs OffsetForLeaderEpoch rounds as the fetcher does; returns the offsets truncated to, round by round. */
    private static List<Long> reconcile(PartitionLog follower, PartitionLog leader) {
        List<Long> rounds = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
            PartitionLog.EpochEndOffset answer =
                    leader.endOffsetForEpoch(follower.latestEpoch().getAsInt());
            ReplicaFetcher.TruncationPoint point =
                    ReplicaFetcher.truncationOffset(follower, answer.epoch(), answer.endOffset());
            follower.truncateTo(point.offset());
            rounds.add(point.offset());
            if (point.complete()) {
                return rounds;
            }
        }
        throw new AssertionError("no agreement after 10 rounds: " + rounds);
    }

    @Test
    void secondRoundTruncatesToTheEndOfTheLastCommonEpochWhenTheLeadersEpochIsUnknownLocally() throws Exception {
        PartitionLog follower = log(followerLogs, 70, 1, 0, 3, 50);
        PartitionLog leader = log(leaderLogs, 80, 1, 0, 2, 40, 4, 60);

        List<Long> rounds = reconcile(follower, leader);

        assertThat(rounds).containsExactly(50L, 40L);
        assertThat(follower.logEndOffset()).isEqualTo(40);
        assertThat(follower.latestEpoch()).hasValue(1);
    }

    @Test
    void oneRoundWhenTheLeaderKnowsTheFollowersLatestEpoch() throws Exception {
        PartitionLog follower = log(followerLogs, 70, 1, 0, 2, 40);
        PartitionLog leader = log(leaderLogs, 80, 1, 0, 2, 40, 4, 60);

        assertThat(reconcile(follower, leader)).containsExactly(60L);
        assertThat(follower.logEndOffset()).isEqualTo(60);
    }
}
