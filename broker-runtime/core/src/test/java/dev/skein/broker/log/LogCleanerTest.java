package dev.skein.broker.log;

import static dev.skein.broker.log.CompactionFixture.latestValues;
import static dev.skein.broker.log.CompactionFixture.readAll;
import static dev.skein.broker.log.LogFixture.config;
import static dev.skein.broker.log.LogFixture.toBytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.log.CompactionFixture.Entry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogCleanerTest {
    private static final TopicPartition TP = new TopicPartition("compacted", 0);

    @TempDir
    Path dataDir;

    private LogFixture fx;
    private final CompactionFixture records = new CompactionFixture();

    @BeforeEach
    void setUp() throws IOException {
        fx = new LogFixture(dataDir);
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    /** A compacted topic with small segments, cleaned as soon as anything is dirty, replaced files deleted at once. */
    static LogConfig compactConfig(String... overrides) {
        String[] base = {
            LogConfig.CLEANUP_POLICY, "compact",
            LogConfig.SEGMENT_BYTES, "1024",
            LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.01",
            LogConfig.FILE_DELETE_DELAY_MS, "0"
        };
        String[] all = new String[base.length + overrides.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(overrides, 0, all, base.length, overrides.length);
        return config(all);
    }

    private PartitionLog log(LogConfig config) throws IOException {
        return fx.manager.getOrCreate(TP, config);
    }

    private void appendValues(PartitionLog log, int count, int keys) {
        for (int i = 0; i < count; i++) {
            records.append(log, Compression.NONE, fx.time.milliseconds(), "k" + (i % keys), "v" + i);
        }
        log.updateHighWatermark(log.logEndOffset());
    }

    private Optional<LogCleaner.CleanResult> clean() {
        return fx.manager.cleaner().cleanDirtiest();
    }

    private static long activeBase(PartitionLog log) {
        List<LogSegment> segments = log.segments();
        return segments.get(segments.size() - 1).baseOffset();
    }

    @Test
    void keepsOnlyTheLatestValuePerKeyWithOffsetsUnchanged() throws IOException {
        PartitionLog log = log(compactConfig());
        appendValues(log, 200, 10);
        long activeBase = activeBase(log);
        byte[] activeBytes = toBytes(
                log.read(activeBase, Integer.MAX_VALUE, Long.MAX_VALUE, true).records());
        long endOffset = log.logEndOffset();

        LogCleaner.CleanResult result = clean().orElseThrow();

        assertThat(result.cleanedTo()).isEqualTo(activeBase);
        assertThat(readAll(log)).containsExactlyElementsOf(records.expectedAfterClean(activeBase, true));
        assertThat(latestValues(readAll(log))).isEqualTo(latestValues(records.appended()));
        assertThat(log.logEndOffset()).isEqualTo(endOffset);
        assertThat(toBytes(log.read(activeBase, Integer.MAX_VALUE, Long.MAX_VALUE, true)
                        .records()))
                .isEqualTo(activeBytes);
        assertThat(result.segmentsAfter()).isLessThanOrEqualTo(result.segmentsBefore());
        assertThat(result.bytesAfter()).isLessThan(result.bytesBefore());
        assertThat(clean()).isEmpty();

        fx.reopen();
        PartitionLog reopened = log(compactConfig());
        assertThat(readAll(reopened)).containsExactlyElementsOf(records.expectedAfterClean(activeBase, true));
    }

    @Test
    void cleansAgainOnlyOnceTheDirtyRatioReachesTheMinimum() throws IOException {
        PartitionLog log = log(compactConfig(LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0.5"));
        appendValues(log, 400, 100);
        assertThat(clean()).isPresent();
        long cleanBytes = log.sizeInBytes();

        appendValues(log, 20, 100);
        assertThat(clean()).as("a little new data is below the 0.5 ratio").isEmpty();

        appendValues(log, (int) (cleanBytes / 30), 100);
        LogCleaner.CleanResult second = clean().orElseThrow();
        assertThat(second.segmentsAfter())
                .as("segments shrunk by the first clean are merged by the second")
                .isLessThan(second.segmentsBefore());
        assertThat(readAll(log)).containsExactlyElementsOf(records.expectedAfterClean(second.cleanedTo(), true));
    }

    @Test
    void removesTombstonedKeysOnlyAfterDeleteRetention() throws IOException {
        PartitionLog log = log(compactConfig(LogConfig.DELETE_RETENTION_MS, "1000"));
        long now = fx.time.milliseconds();
        records.append(log, Compression.NONE, now, "a", "a1");
        records.append(log, Compression.NONE, now, "b", "b1");
        records.append(log, Compression.NONE, now, "a", null);
        appendValues(log, 60, 3);

        clean().orElseThrow();
        assertThat(readAll(log)).extracting(Entry::key).containsOnlyOnce("a").contains("b");
        assertThat(readAll(log))
                .filteredOn(e -> e.key().equals("a"))
                .extracting(Entry::value)
                .containsExactly((String) null);

        fx.time.sleep(999);
        assertThat(clean()).isEmpty();
        assertThat(readAll(log)).extracting(Entry::key).contains("a");

        fx.time.sleep(2);
        clean().orElseThrow();
        assertThat(readAll(log)).extracting(Entry::key).doesNotContain("a").contains("b");
        assertThat(latestValues(readAll(log))).isEqualTo(latestValues(records.appended()));
    }

    @Test
    void leavesRecordsYoungerThanTheMinCompactionLag() throws IOException {
        PartitionLog log = log(compactConfig(LogConfig.MIN_COMPACTION_LAG_MS, "10000"));
        appendValues(log, 100, 5);
        List<Entry> before = readAll(log);

        assertThat(clean()).isEmpty();
        fx.time.sleep(5_000);
        assertThat(clean()).isEmpty();
        assertThat(readAll(log)).isEqualTo(before);

        fx.time.sleep(5_001);
        LogCleaner.CleanResult result = clean().orElseThrow();
        assertThat(result.cleanedTo()).isEqualTo(activeBase(log));
        assertThat(readAll(log)).containsExactlyElementsOf(records.expectedAfterClean(result.cleanedTo(), true));
    }

    @Test
    void neverCleansPastTheHighWatermark() throws IOException {
        PartitionLog log = log(compactConfig());
        appendValues(log, 100, 5);
        log.updateHighWatermark(0);

        assertThat(clean()).isEmpty();
        assertThat(readAll(log)).containsExactlyElementsOf(records.appended());
    }

    @ParameterizedTest
    @ValueSource(strings = {"lz4", "zstd", "gzip"})
    void cleansCompressedBatchesKeepingTheirCodec(String codec) throws IOException {
        CompressionType type = CompressionType.forName(codec);
        PartitionLog log = log(compactConfig());
        for (int i = 0; i < 60; i++) {
            String[] kv = new String[10];
            for (int j = 0; j < 5; j++) {
                kv[2 * j] = "k" + ((i + j) % 7);
                kv[2 * j + 1] = "v" + i + "." + j;
            }
            records.append(log, Compression.of(type).build(), fx.time.milliseconds(), kv);
        }
        log.updateHighWatermark(log.logEndOffset());

        LogCleaner.CleanResult result = clean().orElseThrow();

        assertThat(readAll(log)).containsExactlyElementsOf(records.expectedAfterClean(result.cleanedTo(), true));
        for (RecordBatch batch :
                log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records().batches()) {
            if (batch.countOrNull() != null && batch.countOrNull() > 0) {
                assertThat(batch.compressionType()).isEqualTo(type);
            }
        }
    }

    @Test
    void compactDeleteAlsoAppliesRetention() throws IOException {
        PartitionLog log =
                log(compactConfig(LogConfig.CLEANUP_POLICY, "compact,delete", LogConfig.RETENTION_MS, "5000"));
        appendValues(log, 100, 5);
        clean().orElseThrow();

        fx.time.sleep(5_001);
        appendValues(log, 100, 5);
        fx.manager.runRetention();
        long start = log.logStartOffset();
        assertThat(start).isGreaterThan(0);

        LogCleaner.CleanResult result = clean().orElseThrow();
        List<Entry> expected = records.expectedAfterClean(result.cleanedTo(), true).stream()
                .filter(e -> e.offset() >= start)
                .toList();
        assertThat(readAll(log)).containsExactlyElementsOf(expected);
    }

    @Test
    void keepsTransactionalAndIdempotentBatchesReadable() throws IOException {
        PartitionLog log = log(compactConfig());
        log.append(LogFixture.idempotentBatch(7L, (short) 0, 0, "x", "y"), 0);
        appendValues(log, 60, 3);
        long before = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).firstOffset();

        clean().orElseThrow();

        RecordBatch first = log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true)
                .records()
                .batches()
                .iterator()
                .next();
        assertThat(first.baseOffset()).isEqualTo(before);
        assertThat(first.producerId()).isEqualTo(7L);
        assertThat(first.lastOffset()).isEqualTo(1L);
        first.ensureValid();
    }

    @Test
    void compactsCommittedTransactionalRecordsButKeepsTheirHeaderAndMarker() throws IOException {
        PartitionLog log = log(compactConfig());
        long pid = 11L;
        log.append(
                MemoryRecords.withTransactionalRecords(
                        Compression.NONE,
                        pid,
                        (short) 0,
                        0,
                        new SimpleRecord(1000L, CompactionFixture.utf8("k0"), CompactionFixture.utf8("txn"))),
                0);
        log.append(
                MemoryRecords.withEndTransactionMarker(
                        log.logEndOffset(),
                        1000L,
                        0,
                        pid,
                        (short) 0,
                        new EndTransactionMarker(ControlRecordType.COMMIT, 0)),
                0);
        appendValues(log, 60, 3);

        clean().orElseThrow();

        List<RecordBatch> kept = new ArrayList<>();
        log.read(0, Integer.MAX_VALUE, Long.MAX_VALUE, true).records().batches().forEach(kept::add);
        // k0 of the committed transaction is superseded; the batch stays as the producer's last (empty) header, so
        // its marker stays too (see TxnCleaning).
        assertThat(kept.get(0).isTransactional()).isTrue();
        assertThat(kept.get(0).baseOffset()).isZero();
        assertThat(kept.get(0).countOrNull()).isZero();
        assertThat(kept.get(1).isControlBatch()).isTrue();
        assertThat(kept.get(1).baseOffset()).isEqualTo(1L);
        kept.forEach(RecordBatch::ensureValid);
    }
}
