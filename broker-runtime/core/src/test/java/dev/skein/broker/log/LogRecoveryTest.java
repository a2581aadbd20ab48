package dev.skein.broker.log;

import static dev.skein.broker.log.LogFixture.batch;
import static dev.skein.broker.log.LogFixture.config;
import static dev.skein.broker.log.LogFixture.copy;
import static dev.skein.broker.log.LogFixture.offsetsAndValues;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogRecoveryTest {
    private static final TopicPartition TP = new TopicPartition("events-v2", 3);

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

    private Path partitionDir() {
        return dataDir.resolve("events-v2-3");
    }

    private Path lastSegmentFile(String suffix) throws IOException {
        try (Stream<Path> files = Files.list(partitionDir())) {
            return files.filter(p -> p.toString().endsWith(suffix))
                    .sorted()
                    .reduce((a, b) -> b)
                    .orElseThrow();
        }
    }

    private static void appendToFile(Path file, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(bytes));
        }
    }

    private PartitionLog reopenedLog() throws IOException {
        fx.manager = fx.open();
        return fx.manager.get(TP).orElseThrow();
    }

    /** Every record from the log start, one read per segment. */
    private static List<String> readAll(PartitionLog log) {
        List<String> all = new java.util.ArrayList<>();
        long offset = log.logStartOffset();
        while (offset < log.logEndOffset()) {
            PartitionLog.FetchSlice slice = log.read(offset, Integer.MAX_VALUE, Long.MAX_VALUE, true);
            List<String> values = offsetsAndValues(slice.records());
            all.addAll(values);
            offset = Long.parseLong(values.get(values.size() - 1).split(":")[0]) + 1;
        }
        return all;
    }

    @Test
    void truncatesGarbageTailOnRecovery() throws IOException {
        PartitionLog log = fx.manager.getOrCreate(TP, LogConfig.defaults());
        log.append(batch(1000, "a", "b"), 0);
        log.append(batch(1001, "c"), 0);
        long sizeBefore = log.sizeInBytes();
        fx.closeAsCrashed();
        appendToFile(lastSegmentFile(".log"), new byte[] {0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7});

        PartitionLog recovered = reopenedLog();

        assertThat(recovered.recoveryResult().cleanShutdown()).isFalse();
        assertThat(recovered.recoveryResult().bytesTruncated()).isEqualTo(19L);
        assertThat(recovered.sizeInBytes()).isEqualTo(sizeBefore);
        assertThat(recovered.logEndOffset()).isEqualTo(3L);
        assertThat(readAll(recovered)).containsExactly("0:a", "1:b", "2:c");
        assertThat(recovered.append(batch(1002, "d"), 0).firstOffset()).isEqualTo(3L);
    }

    @Test
    void truncatesTornBatchOnRecovery() throws IOException {
        PartitionLog log = fx.manager.getOrCreate(TP, LogConfig.defaults());
        log.append(batch(1000, "a"), 0);
        MemoryRecords next = batch(1001, "torn-away", "also-lost");
        byte[] full = LogFixture.toBytesUnchecked(next);
        fx.closeAsCrashed();
        byte[] half = java.util.Arrays.copyOf(full, full.length / 2);
        appendToFile(lastSegmentFile(".log"), half);

        PartitionLog recovered = reopenedLog();

        assertThat(recovered.recoveryResult().bytesTruncated()).isEqualTo(half.length);
        assertThat(readAll(recovered)).containsExactly("0:a");
        assertThat(Files.size(lastSegmentFile(".log"))).isEqualTo(recovered.sizeInBytes());
    }

    @Test
    void truncatesAtFirstBatchWithBadCrcAndDropsLaterSegments() throws IOException {
        PartitionLog log = fx.manager.getOrCreate(TP, config(LogConfig.SEGMENT_BYTES, "200"));
        for (int i = 0; i < 8; i++) {
            log.append(batch(1000 + i, "value-" + i, "x"), 0);
        }
        int segments = log.numberOfSegments();
        assertThat(segments).isGreaterThan(2);
        long keptOffset = log.logEndOffset();
        fx.closeAsCrashed();
        try (BrokerStateStore store = BrokerStateStore.open(dataDir.resolve(LogManager.STATE_FILE))) {
            store.put(TP, 0L, 0L, 0L, new long[0], null, -1L);
            store.commit();
        }
        Path secondLog;
        try (Stream<Path> files = Files.list(partitionDir())) {
            secondLog = files.filter(p -> p.toString().endsWith(".log"))
                    .sorted()
                    .toList()
                    .get(1);
        }
        try (FileChannel ch = FileChannel.open(secondLog, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {0x7f}), ch.size() - 1);
        }

        PartitionLog recovered = reopenedLog();

        assertThat(recovered.recoveryResult().segmentsDeleted()).isEqualTo(segments - 2);
        assertThat(recovered.numberOfSegments()).isEqualTo(2);
        assertThat(recovered.logEndOffset()).isLessThan(keptOffset).isGreaterThan(0L);
        List<String> values = readAll(recovered);
        assertThat(values).startsWith("0:value-0").hasSize((int) recovered.logEndOffset());
    }

    @Test
    void rebuildsDeletedIndexAfterCleanShutdown() throws IOException {
        // Recovery runs before the topic's config is known, so the default index interval applies: big batches.
        PartitionLog log = fx.manager.getOrCreate(TP, config(LogConfig.SEGMENT_BYTES, "20000"));
        for (int i = 0; i < 30; i++) {
            log.append(batch(10_000L + i, i + "-" + "v".repeat(1000)), 0);
        }
        assertThat(log.numberOfSegments()).isEqualTo(2);
        fx.manager.close();
        Path firstIndex;
        try (Stream<Path> files = Files.list(partitionDir())) {
            firstIndex = files.filter(p -> p.toString().endsWith(".index"))
                    .sorted()
                    .findFirst()
                    .orElseThrow();
        }
        long indexSize = Files.size(firstIndex);
        assertThat(indexSize).isGreaterThan(0L);
        Files.delete(firstIndex);

        PartitionLog recovered = reopenedLog();

        assertThat(recovered.recoveryResult().cleanShutdown()).isTrue();
        assertThat(recovered.recoveryResult().indexesRebuilt()).isEqualTo(1);
        assertThat(recovered.recoveryResult().bytesTruncated()).isZero();
        for (long offset = 0; offset < 30; offset++) {
            assertThat(recovered.read(offset, 1, Long.MAX_VALUE, true).firstOffset())
                    .isEqualTo(offset);
        }
        assertThat(recovered.offsetForTimestamp(10_017L).orElseThrow().offset).isEqualTo(17L);
        fx.manager.close();
        assertThat(Files.size(firstIndex)).isPositive();
    }

    @Test
    void reopenAfterCleanCloseKeepsEverything() throws IOException {
        PartitionLog log = fx.manager.getOrCreate(TP, config(LogConfig.SEGMENT_BYTES, "300"));
        for (int i = 0; i < 10; i++) {
            log.append(batch(1000 + i, "value-" + i), i < 5 ? 1 : 2);
        }
        log.updateHighWatermark(7);
        int segments = log.numberOfSegments();
        List<String> before = readAll(log);

        fx.reopen();
        PartitionLog reopened = fx.manager.get(TP).orElseThrow();

        assertThat(fx.manager.recoveredFromCleanShutdown()).isTrue();
        assertThat(reopened.recoveryResult().indexesRebuilt()).isZero();
        assertThat(reopened.logEndOffset()).isEqualTo(10L);
        assertThat(reopened.highWatermark()).isEqualTo(7L);
        assertThat(reopened.numberOfSegments()).isEqualTo(segments);
        assertThat(reopened.latestEpoch()).hasValue(2);
        assertThat(reopened.endOffsetForEpoch(1)).isEqualTo(new PartitionLog.EpochEndOffset(1, 5L));
        assertThat(reopened.recoveryPoint()).isEqualTo(10L);
        assertThat(readAll(reopened)).isEqualTo(before);
        assertThat(reopened.append(batch(2000, "after"), 2).firstOffset()).isEqualTo(10L);
    }

    @Test
    void producerStateSurvivesReopen() throws IOException {
        PartitionLog log = fx.manager.getOrCreate(TP, LogConfig.defaults());
        MemoryRecords sent = LogFixture.idempotentBatch(99L, (short) 2, 0, "once");
        PartitionLog.AppendResult original = log.append(copy(sent), 0);
        log.append(batch(1000, "plain"), 0);

        fx.reopen();
        PartitionLog reopened = fx.manager.get(TP).orElseThrow();
        PartitionLog.AppendResult retry = reopened.append(copy(sent), 0);

        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(original.firstOffset());
        assertThat(reopened.logEndOffset()).isEqualTo(2L);
    }

    @Test
    void producerStateIsReplayedFromTheLogAfterACrash() throws IOException {
        PartitionLog log = fx.manager.getOrCreate(TP, LogConfig.defaults());
        log.append(LogFixture.idempotentBatch(5L, (short) 0, 0, "first"), 0);
        fx.manager.checkpoint();
        MemoryRecords second = LogFixture.idempotentBatch(5L, (short) 0, 1, "second");
        log.append(copy(second), 0);
        log.flush();
        fx.closeAsCrashed();
        try (BrokerStateStore store = BrokerStateStore.open(dataDir.resolve(LogManager.STATE_FILE))) {
            store.put(
                    TP,
                    1L,
                    1L,
                    0L,
                    new long[] {0, 0},
                    new dev.skein.broker.txn.ProducerStateManager(TP, fx.time).snapshot(),
                    0L);
            store.commit();
        }

        PartitionLog recovered = reopenedLog();
        PartitionLog.AppendResult retry = recovered.append(copy(second), 0);

        assertThat(recovered.logEndOffset()).isEqualTo(2L);
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(1L);
    }

    @Test
    void recordsAcknowledgedAsDurableSurviveACrashAcrossSegments() throws Exception {
        PartitionLog log = fx.manager.getOrCreate(TP, config(LogConfig.SEGMENT_BYTES, "200"));
        List<String> written = new java.util.ArrayList<>();
        PartitionLog.AppendResult last = null;
        for (int i = 0; i < 8; i++) {
            last = log.append(batch(1000 + i, "durable-" + i), 0);
            written.add(i + ":durable-" + i);
        }
        log.awaitDurable(last.lastOffset()).get(30, java.util.concurrent.TimeUnit.SECONDS);
        long recoveryPoint = log.recoveryPoint();
        int segments = log.numberOfSegments();
        fx.closeAsCrashed();
        // what a crash right after the ack leaves in the state store: the recovery point of the durable flush
        try (BrokerStateStore store = BrokerStateStore.open(dataDir.resolve(LogManager.STATE_FILE))) {
            store.put(
                    TP,
                    recoveryPoint,
                    0L,
                    0L,
                    new long[] {0, 0},
                    new dev.skein.broker.txn.ProducerStateManager(TP, fx.time).snapshot(),
                    0L);
            store.commit();
        }

        PartitionLog recovered = reopenedLog();

        assertThat(segments).isGreaterThan(2);
        assertThat(readAll(recovered)).containsExactlyElementsOf(written);
        assertThat(recovered.recoveryResult().cleanShutdown()).isFalse();
        assertThat(recovered.recoveryResult().indexesRebuilt()).isEqualTo(1);
    }

    @Test
    void deleteRemovesDirectoryAndState() throws IOException {
        PartitionLog log = fx.manager.getOrCreate(TP, LogConfig.defaults());
        log.append(batch(1000, "a"), 0);
        fx.manager.checkpoint();

        fx.manager.delete(TP);

        assertThat(Files.exists(partitionDir())).isFalse();
        assertThat(fx.manager.get(TP)).isEmpty();
        PartitionLog recreated = fx.manager.getOrCreate(TP, LogConfig.defaults());
        assertThat(recreated.logEndOffset()).isZero();
        assertThat(recreated.latestEpoch()).isEmpty();
    }
}
