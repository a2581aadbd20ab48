package dev.skein.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's truncation is durable before it appends after it: a crash (kill -9, simulated by copying the data
 * directory while the broker runs) right after truncating and re-fetching must not bring back the producer state,
 * leader epochs or recovery point of the truncated records.
 */
class TruncationDurabilityTest {
    private static final TopicPartition TP = new TopicPartition("truncated", 0);

    @TempDir
    Path dataDir;

    @TempDir
    Path crashedDir;

    @Test
    void retryOfATruncatedIdempotentBatchIsAppendedAgainAfterACrash() throws Exception {
        try (LogFixture fx = new LogFixture(dataDir)) {
            PartitionLog log = fx.manager.getOrCreate(TP, LogFixture.config());
            // As leader of epoch 1: an idempotent batch that never reached the next leader.
            log.append(LogFixture.idempotentBatch(7L, (short) 0, 0, "lost"), 1);
            log.flush();
            fx.manager.checkpoint();

            // As follower of epoch 2: truncate, then replicate the new leader's records at the same offsets.
            log.truncateTo(0);
            log.appendAsFollower(leaderBatch(2, "x", "y", "z"));
            copy(dataDir, crashedDir);
        }
        try (LogFixture fx = new LogFixture(crashedDir)) {
            PartitionLog recovered = fx.manager.getOrCreate(TP, LogFixture.config());
            assertThat(recovered.logEndOffset()).isEqualTo(3);
            assertThat(recovered.latestEpoch()).hasValue(2);
            assertThat(recovered.endOffsetForEpoch(1).epoch())
                    .as("epoch 1 is gone with its records")
                    .isEqualTo(-1);

            PartitionLog.AppendResult retry = recovered.append(LogFixture.idempotentBatch(7L, (short) 0, 0, "lost"), 3);
            assertThat(retry.duplicate())
                    .as("the retried batch is not in the log")
                    .isFalse();
            assertThat(retry.firstOffset()).isEqualTo(3);
        }
    }

    @Test
    void epochCacheDropsEntriesContradictingANewOne() {
        LeaderEpochCache cache = LeaderEpochCache.fromPairs(new long[] {1, 0, 3, 50});

        assertThat(cache.assign(2, 40)).isTrue();

        assertThat(cache.toPairs()).containsExactly(1, 0, 2, 40);
        assertThat(cache.assign(2, 45)).as("same epoch, later start").isFalse();
        assertThat(cache.assign(2, 30)).as("same epoch, earlier start").isTrue();
        assertThat(cache.toPairs()).containsExactly(1, 0, 2, 30);
    }

    private static MemoryRecords leaderBatch(int epoch, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(1000L, null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(0L, Compression.NONE, epoch, records);
    }

    /** What a kill -9 leaves: the files as the OS has them now, the state store as last committed. */
    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
