package dev.skein.broker.log;

import static dev.skein.broker.log.LogFixture.baseOffsets;
import static dev.skein.broker.log.LogFixture.batch;
import static dev.skein.broker.log.LogFixture.config;
import static dev.skein.broker.log.LogFixture.copy;
import static dev.skein.broker.log.LogFixture.offsetsAndValues;
import static dev.skein.broker.log.LogFixture.toBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.UnsupportedForMessageFormatException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PartitionLogTest {
    private static final TopicPartition TP = new TopicPartition("orders", 0);

    @TempDir
    Path dataDir;

    private LogFixture fx;

    @BeforeEach
    void setUp() throws IOException {
        fx = new LogFixture(dataDir);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private PartitionLog log(LogConfig config) throws IOException {
        return fx.manager.getOrCreate(TP, config);
    }

    @Test
    void appendsAndReadsBackWithAssignedOffsets() throws IOException {
        PartitionLog log = log(LogConfig.defaults());

        PartitionLog.AppendResult first = log.append(batch(1000, "a", "b"), 0);
        PartitionLog.AppendResult second = log.append(batch(1001, "c", "d", "e"), 0);
        PartitionLog.AppendResult third = log.append(batch(1002, "f"), 0);

        assertThat(List.of(first.firstOffset(), first.lastOffset(), second.firstOffset(), second.lastOffset()))
                .containsExactly(0L, 1L, 2L, 4L);
        assertThat(third.firstOffset()).isEqualTo(5L);
        assertThat(first.logAppendTime()).isEqualTo(RecordBatch.NO_TIMESTAMP);
        assertThat(log.logEndOffset()).isEqualTo(6L);
        PartitionLog.FetchSlice slice = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true);
        assertThat(slice.firstOffset()).isZero();
        assertThat(offsetsAndValues(slice.records())).containsExactly("0:a", "1:b", "2:c", "3:d", "4:e", "5:f");
        assertThat(baseOffsets(
                        log.read(3, Integer.MAX_VALUE, Long.MAX_VALUE, true).records()))
                .containsExactly(2L, 5L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void storesCompressedBatchesByteIdentical(String codec) throws IOException {
        Compression compression =
                switch (codec) {
                    case "gzip" -> Compression.gzip().build();
                    case "snappy" -> Compression.snappy().build();
                    case "lz4" -> Compression.lz4().build();
                    default -> Compression.zstd().build();
                };
        MemoryRecords sent = batch(compression, 1000, "alpha", "beta", "gamma", "delta");
        byte[] original = toBytes(copy(sent));
        PartitionLog log = log(LogConfig.defaults());

        log.append(sent, RecordBatch.NO_PARTITION_LEADER_EPOCH);

        PartitionLog.FetchSlice slice = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true);
        assertThat(toBytes(slice.records())).isEqualTo(original);
        assertThat(offsetsAndValues(slice.records())).containsExactly("0:alpha", "1:beta", "2:gamma", "3:delta");
    }

    @Test
    void rejectsBatchWithBadCrc() throws IOException {
        PartitionLog log = log(LogConfig.defaults());
        MemoryRecords records = batch(1000, "payload");
        ByteBuffer buffer = records.buffer();
        int last = buffer.limit() - 1;
        buffer.put(last, (byte) (buffer.get(last) ^ 0x5a));

        assertThatThrownBy(() -> log.append(records, 0)).isInstanceOf(CorruptRecordException.class);
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.sizeInBytes()).isZero();
    }

    @Test
    void rejectsOldMagicOversizedAndTruncatedRequests() throws IOException {
        PartitionLog log = log(config(LogConfig.MAX_MESSAGE_BYTES, "200"));
        MemoryRecords v1 = MemoryRecords.withRecords(
                RecordBatch.MAGIC_VALUE_V1, Compression.NONE, new SimpleRecord(1000L, LogFixture.bytes("x")));
        MemoryRecords big = batch(1000, "x".repeat(300));
        MemoryRecords whole = batch(1000, "abc");
        MemoryRecords torn = MemoryRecords.readableRecords(
                ByteBuffer.wrap(LogFixture.toBytesUnchecked(whole), 0, whole.sizeInBytes() - 3)
                        .slice());

        assertThatThrownBy(() -> log.append(v1, 0)).isInstanceOf(UnsupportedForMessageFormatException.class);
        assertThatThrownBy(() -> log.append(big, 0)).isInstanceOf(RecordTooLargeException.class);
        assertThatThrownBy(() -> log.append(torn, 0)).isInstanceOf(CorruptRecordException.class);
        assertThatThrownBy(() -> log.append(MemoryRecords.EMPTY, 0)).isInstanceOf(InvalidRecordException.class);
        assertThat(log.logEndOffset()).isZero();
    }

    @Test
    void stampsLogAppendTimeWhenTopicAsksForIt() throws IOException {
        PartitionLog log = log(config(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime"));

        PartitionLog.AppendResult result = log.append(batch(5, "a", "b"), 0);

        assertThat(result.logAppendTime()).isEqualTo(fx.time.milliseconds());
        RecordBatch stored = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true)
                .records()
                .batches()
                .iterator()
                .next();
        assertThat(stored.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(stored.maxTimestamp()).isEqualTo(fx.time.milliseconds());
        stored.ensureValid();
    }

    @Test
    void rollsSegmentWhenSegmentBytesWouldBeExceeded() throws IOException {
        PartitionLog log = log(config(LogConfig.SEGMENT_BYTES, "200"));
        for (int i = 0; i < 10; i++) {
            log.append(batch(1000 + i, "value-" + i, "more-" + i), 0);
        }

        assertThat(log.numberOfSegments()).isGreaterThan(1);
        assertThat(offsetsAndValues(
                        log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records()))
                .startsWith("0:value-0");
        List<String> all = new java.util.ArrayList<>();
        long offset = 0;
        while (offset < log.logEndOffset()) {
            PartitionLog.FetchSlice slice = log.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE, true);
            all.addAll(offsetsAndValues(slice.records()));
            offset += offsetsAndValues(slice.records()).size();
        }
        assertThat(all).hasSize(20).contains("19:more-9");
    }

    @Test
    void rollsSegmentAfterSegmentMs() throws IOException {
        PartitionLog log = log(config(LogConfig.SEGMENT_MS, "60000"));
        log.append(batch(fx.time.milliseconds(), "a"), 0);
        fx.time.sleep(59_999);
        log.append(batch(fx.time.milliseconds(), "b"), 0);
        assertThat(log.numberOfSegments()).isEqualTo(1);

        fx.time.sleep(1);
        log.append(batch(fx.time.milliseconds(), "c"), 0);

        assertThat(log.numberOfSegments()).isEqualTo(2);
        assertThat(offsetsAndValues(log.read(2, 1000, Long.MAX_VALUE, true).records()))
                .containsExactly("2:c");
    }

    @Test
    void readHonoursMaxBytesMaxOffsetAndMinOneMessage() throws IOException {
        PartitionLog log = log(LogConfig.defaults());
        for (int i = 0; i < 5; i++) {
            log.append(batch(1000, "v" + i, "w" + i), 0);
        }
        int batchSize = log.read(0, Integer.MAX_VALUE, 2, true).records().sizeInBytes();

        assertThat(baseOffsets(log.read(0, Integer.MAX_VALUE, 4, true).records()))
                .containsExactly(0L, 2L);
        assertThat(baseOffsets(log.read(0, Integer.MAX_VALUE, 5, true).records()))
                .containsExactly(0L, 2L, 4L);
        assertThat(baseOffsets(
                        log.read(0, batchSize * 2 + 1, Long.MAX_VALUE, true).records()))
                .containsExactly(0L, 2L);
        assertThat(baseOffsets(log.read(3, 1, Long.MAX_VALUE, true).records())).containsExactly(2L);
        assertThat(log.read(3, 1, Long.MAX_VALUE, false).records().sizeInBytes())
                .isZero();
        assertThat(log.read(10, 100, Long.MAX_VALUE, true).records().sizeInBytes())
                .isZero();
        assertThatThrownBy(() -> log.read(11, 100, Long.MAX_VALUE, true)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void findsOffsetsByTimestampAcrossSegmentsThroughTheIndexes() throws IOException {
        PartitionLog log = log(config(LogConfig.SEGMENT_BYTES, "1000", LogConfig.INDEX_INTERVAL_BYTES, "100"));
        for (int i = 0; i < 40; i++) {
            log.append(batch(10_000L + i * 10L, "value-" + i), 0);
        }
        assertThat(log.numberOfSegments()).isGreaterThan(2);

        assertThat(log.offsetForTimestamp(0).orElseThrow().offset).isZero();
        assertThat(log.offsetForTimestamp(10_000L + 25 * 10L).orElseThrow().offset)
                .isEqualTo(25L);
        assertThat(log.offsetForTimestamp(10_000L + 25 * 10L - 3).orElseThrow().offset)
                .isEqualTo(25L);
        assertThat(log.offsetForTimestamp(10_000L + 39 * 10L).orElseThrow().offset)
                .isEqualTo(39L);
        assertThat(log.offsetForTimestamp(10_000L + 39 * 10L + 1)).isEmpty();
        assertThat(log.maxTimestampOffset().orElseThrow().offset).isEqualTo(39L);
        assertThat(log.maxTimestampOffset().orElseThrow().timestamp).isEqualTo(10_390L);
        for (long offset = 0; offset < 40; offset++) {
            assertThat(log.read(offset, 1, Long.MAX_VALUE, true).firstOffset()).isEqualTo(offset);
        }
    }

    @Test
    void retentionByTimeDeletesOnlyClosedSegments() throws IOException {
        PartitionLog log = log(config(LogConfig.SEGMENT_BYTES, "300", LogConfig.RETENTION_MS, "60000"));
        for (int i = 0; i < 10; i++) {
            log.append(batch(fx.time.milliseconds(), "value-" + i, "x"), 0);
        }
        int segments = log.numberOfSegments();
        assertThat(segments).isGreaterThan(2);
        log.updateHighWatermark(log.logEndOffset());

        fx.time.sleep(60_000);
        fx.manager.runRetention();
        assertThat(log.numberOfSegments()).isEqualTo(segments);

        fx.time.sleep(1);
        fx.manager.runRetention();
        assertThat(log.numberOfSegments()).isEqualTo(1);
        assertThat(log.logStartOffset()).isGreaterThan(0L).isLessThan(log.logEndOffset());
        assertThat(offsetsAndValues(log.read(log.logStartOffset(), 10_000, Long.MAX_VALUE, true)
                        .records()))
                .endsWith("19:x");
        assertThatThrownBy(() -> log.read(0, 100, Long.MAX_VALUE, true)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void retentionBySizeKeepsTheNewestWholeSegments() throws IOException {
        PartitionLog log = log(config(LogConfig.SEGMENT_BYTES, "300", LogConfig.RETENTION_BYTES, "400"));
        for (int i = 0; i < 12; i++) {
            log.append(batch(fx.time.milliseconds(), "value-" + i, "x"), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        long before = log.sizeInBytes();

        int deleted = log.deleteOldSegments();

        assertThat(deleted).isGreaterThan(0);
        assertThat(log.sizeInBytes()).isLessThan(before);
        assertThat(log.sizeInBytes()).isLessThanOrEqualTo(400 + 300);
        assertThat(log.logEndOffset()).isEqualTo(24L);
        assertThat(log.deleteOldSegments()).isZero();
    }

    @Test
    void retentionNeverDeletesAboveTheHighWatermark() throws IOException {
        PartitionLog log = log(config(LogConfig.SEGMENT_BYTES, "300", LogConfig.RETENTION_MS, "1"));
        for (int i = 0; i < 10; i++) {
            log.append(batch(fx.time.milliseconds(), "value-" + i, "x"), 0);
        }
        fx.time.sleep(10);

        assertThat(log.deleteOldSegments()).isZero();
        assertThat(log.logStartOffset()).isZero();
    }

    @Test
    void idempotentRetryReturnsOriginalOffsets() throws IOException {
        PartitionLog log = log(LogConfig.defaults());
        log.append(batch(1000, "other"), 0);
        MemoryRecords sent = LogFixture.idempotentBatch(42L, (short) 0, 0, "a", "b");

        PartitionLog.AppendResult first = log.append(copy(sent), 0);
        PartitionLog.AppendResult retry = log.append(copy(sent), 0);

        assertThat(first.duplicate()).isFalse();
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(first.firstOffset()).isEqualTo(1L);
        assertThat(retry.lastOffset()).isEqualTo(2L);
        assertThat(log.logEndOffset()).isEqualTo(3L);
    }

    @Test
    void outOfOrderSequenceIsRejectedWithoutWriting() throws IOException {
        PartitionLog log = log(LogConfig.defaults());
        log.append(LogFixture.idempotentBatch(7L, (short) 0, 0, "a"), 0);

        assertThatThrownBy(() -> log.append(LogFixture.idempotentBatch(7L, (short) 0, 5, "gap"), 0))
                .isInstanceOf(org.apache.kafka.common.errors.OutOfOrderSequenceException.class);
        assertThat(log.logEndOffset()).isEqualTo(1L);
        assertThat(log.append(LogFixture.idempotentBatch(7L, (short) 0, 1, "b"), 0)
                        .firstOffset())
                .isEqualTo(1L);
    }

    @Test
    void awaitDurableCompletesOnceFlushed() throws Exception {
        PartitionLog log = log(LogConfig.defaults());
        PartitionLog.AppendResult a = log.append(batch(1000, "a"), 0);
        PartitionLog.AppendResult b = log.append(batch(1000, "b", "c"), 0);

        CompletableFuture<Void> first = log.awaitDurable(a.lastOffset());
        CompletableFuture<Void> second = log.awaitDurable(b.lastOffset());
        CompletableFuture.allOf(first, second).get(30, TimeUnit.SECONDS);

        assertThat(log.durableOffset()).isEqualTo(3L);
        assertThat(log.awaitDurable(b.lastOffset())).isCompleted();
    }

    @Test
    void awaitDurableOnManyPartitionsCompletesEveryWaiter() throws Exception {
        List<PartitionLog> logs = new java.util.ArrayList<>();
        List<CompletableFuture<Void>> acks = new java.util.ArrayList<>();
        for (int p = 0; p < 3 * GroupCommitFlusher.SYNC_THREADS; p++) {
            PartitionLog log = fx.manager.getOrCreate(new TopicPartition("orders", p), LogConfig.defaults());
            logs.add(log);
            for (int i = 0; i < 3; i++) {
                acks.add(log.awaitDurable(
                        log.append(batch(1000, "p" + p + "-" + i), 0).lastOffset()));
            }
        }

        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

        assertThat(logs).allSatisfy(log -> assertThat(log.durableOffset()).isEqualTo(3L));
    }

    @Test
    void durableFlushSyncsRolledSegmentsWholeAndMovesRecoveryPointToActiveSegment() throws Exception {
        PartitionLog log = log(config(LogConfig.SEGMENT_BYTES, "200"));
        PartitionLog.AppendResult last = null;
        for (int i = 0; i < 6; i++) {
            last = log.append(batch(1000 + i, "value-" + i), 0);
        }
        assertThat(log.numberOfSegments()).isGreaterThan(1);
        long activeBase = log.read(last.lastOffset(), Integer.MAX_VALUE, Long.MAX_VALUE, true)
                .records()
                .batches()
                .iterator()
                .next()
                .baseOffset();

        log.awaitDurable(last.lastOffset()).get(30, TimeUnit.SECONDS);

        assertThat(log.durableOffset()).isEqualTo(log.logEndOffset());
        assertThat(log.recoveryPoint()).isPositive().isLessThanOrEqualTo(activeBase);
        log.flush();
        assertThat(log.recoveryPoint()).isEqualTo(log.logEndOffset());
    }

    @Test
    void flushMessagesForcesFlushOnAppend() throws IOException {
        PartitionLog log = log(config(LogConfig.FLUSH_MESSAGES, "3"));
        log.append(batch(1000, "a", "b"), 0);
        assertThat(log.recoveryPoint()).isZero();

        log.append(batch(1000, "c"), 0);

        assertThat(log.recoveryPoint()).isEqualTo(3L);
    }

    @Test
    void leaderEpochCacheAnswersEndOffsetsAndFollowsTruncation() throws IOException {
        PartitionLog log = log(LogConfig.defaults());
        log.append(batch(1000, "a", "b"), 1);
        log.append(batch(1000, "c"), 1);
        log.append(batch(1000, "d", "e"), 3);
        log.append(batch(1000, "f"), 4);

        assertThat(log.latestEpoch()).hasValue(4);
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(new PartitionLog.EpochEndOffset(1, 3L));
        assertThat(log.endOffsetForEpoch(2)).isEqualTo(new PartitionLog.EpochEndOffset(1, 3L));
        assertThat(log.endOffsetForEpoch(4)).isEqualTo(new PartitionLog.EpochEndOffset(4, 6L));
        assertThat(log.endOffsetForEpoch(0)).isEqualTo(new PartitionLog.EpochEndOffset(-1, -1L));
        RecordBatch stamped = log.read(3, 1, Long.MAX_VALUE, true)
                .records()
                .batches()
                .iterator()
                .next();
        assertThat(stamped.partitionLeaderEpoch()).isEqualTo(3);

        log.truncateTo(3);

        assertThat(log.logEndOffset()).isEqualTo(3L);
        assertThat(log.latestEpoch()).hasValue(1);
        assertThat(log.endOffsetForEpoch(5)).isEqualTo(new PartitionLog.EpochEndOffset(1, 3L));
        assertThat(log.append(batch(1000, "g"), 5).firstOffset()).isEqualTo(3L);
        assertThat(offsetsAndValues(log.read(0, 10_000, Long.MAX_VALUE, true).records()))
                .containsExactly("0:a", "1:b", "2:c", "3:g");
    }

    @Test
    void followerAppendKeepsLeaderOffsetsAndEpochs() throws IOException {
        PartitionLog leader = log(LogConfig.defaults());
        leader.append(batch(1000, "a", "b"), 3);
        leader.append(batch(1001, "c"), 4);
        MemoryRecords fetched = LogFixture.copy(MemoryRecords.readableRecords(ByteBuffer.wrap(
                toBytes(leader.read(0, 10_000, Long.MAX_VALUE, true).records()))));
        PartitionLog follower = fx.manager.getOrCreate(new TopicPartition("orders", 1), LogConfig.defaults());

        PartitionLog.AppendResult result = follower.appendAsFollower(fetched);

        assertThat(result.firstOffset()).isZero();
        assertThat(result.lastOffset()).isEqualTo(2L);
        assertThat(follower.endOffsetForEpoch(3)).isEqualTo(new PartitionLog.EpochEndOffset(3, 2L));
        assertThat(follower.latestEpoch()).hasValue(4);
        assertThat(offsetsAndValues(
                        follower.read(0, 10_000, Long.MAX_VALUE, true).records()))
                .containsExactly("0:a", "1:b", "2:c");
        assertThatThrownBy(() -> follower.appendAsFollower(LogFixture.copy(fetched)))
                .isInstanceOf(InvalidRecordException.class);
    }

    @Test
    void updatedConfigAppliesToExistingLogs() throws IOException {
        PartitionLog log = log(LogConfig.defaults());
        log.append(batch(1000, "a"), 0);

        fx.manager.updateConfig("orders", config(LogConfig.MAX_MESSAGE_BYTES, "10"));

        assertThat(log.config().maxMessageBytes()).isEqualTo(10);
        assertThatThrownBy(() -> log.append(batch(1000, "bb"), 0)).isInstanceOf(RecordTooLargeException.class);
    }
}
