package dev.skein.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.broker.log.CompactionFixture.Entry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction of transactional data (Kafka's rules): nothing at or past the last stable offset is cleaned, aborted
 * records go, committed ones are compacted like others, and a marker goes only once its transaction has no batch
 * left and its delete horizon has passed, taking its aborted-transaction index entry with it.
 */
class TransactionCleaningTest {
    private static final TopicPartition TP = new TopicPartition("compacted", 0);
    private static final long DELETE_RETENTION_MS = 60_000;

    @TempDir
    Path dataDir;

    private LogFixture fx;
    private final CompactionFixture records = new CompactionFixture();
    private PartitionLog log;

    @BeforeEach
    void setUp() throws IOException {
        fx = new LogFixture(dataDir);
        log = fx.manager.getOrCreate(
                TP, LogCleanerTest.compactConfig(LogConfig.DELETE_RETENTION_MS, Long.toString(DELETE_RETENTION_MS)));
    }

    @AfterEach
    void tearDown() {
        fx.close();
    }

    private int sequence;

    private void txn(long producerId, String... keyValues) {
        SimpleRecord[] batch = new SimpleRecord[keyValues.length / 2];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = new SimpleRecord(
                    fx.time.milliseconds(),
                    CompactionFixture.utf8(keyValues[2 * i]),
                    CompactionFixture.utf8(keyValues[2 * i + 1]));
        }
        log.append(MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, (short) 0, sequence, batch), 0);
        sequence += batch.length;
    }

    private void values(int count, int keys) {
        for (int i = 0; i < count; i++) {
            records.append(log, Compression.NONE, fx.time.milliseconds(), "k" + (i % keys), "v" + i);
        }
        log.updateHighWatermark(log.logEndOffset());
    }

    private Optional<LogCleaner.CleanResult> clean() {
        return fx.manager.cleaner().cleanDirtiest();
    }

    private List<RecordBatch> batches() {
        List<RecordBatch> out = new ArrayList<>();
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            boolean any = false;
            for (RecordBatch batch : log.read(next, Integer.MAX_VALUE, Long.MAX_VALUE, true)
                    .records()
                    .batches()) {
                out.add(batch);
                next = batch.nextOffset();
                any = true;
            }
            if (!any) {
                break;
            }
        }
        return out;
    }

    private List<String> values() {
        List<String> out = new ArrayList<>();
        for (Entry e : CompactionFixture.readAll(log)) {
            if (e.value() != null && !e.key().isEmpty() && e.key().charAt(0) != 0) {
                out.add(e.key() + "=" + e.value());
            }
        }
        return out;
    }

    @Test
    void nothingAtOrPastTheLastStableOffsetIsCleaned() throws IOException {
        txn(11L, "k0", "undecided"); // offset 0, open
        values(60, 3);
        assertThat(log.lastStableOffset()).isZero();
        long size = log.sizeInBytes();
        assertThat(clean()).isEmpty();
        assertThat(log.sizeInBytes()).isEqualTo(size);

        log.appendMarker(11L, (short) 0, 0, true, 0);
        values(1, 3);
        assertThat(clean()).isPresent();
        assertThat(log.sizeInBytes()).isLessThan(size);
    }

    @Test
    void abortedRecordsGoAndCommittedOnesAreCompactedLikeOthers() throws IOException {
        txn(11L, "a", "aborted-1");
        txn(11L, "b", "aborted-2");
        log.appendMarker(11L, (short) 0, 0, false, 0);
        txn(12L, "k0", "committed-old", "c", "committed-kept");
        log.appendMarker(12L, (short) 0, 0, true, 0);
        values(60, 3);

        clean().orElseThrow();

        List<String> kept = values();
        assertThat(kept).doesNotContain("a=aborted-1", "b=aborted-2", "k0=committed-old");
        assertThat(kept).contains("c=committed-kept");
        // Producer 11's last batch keeps its (now empty) header for its sequence, so its ABORT marker stays too.
        List<RecordBatch> batches = batches();
        assertThat(batches.get(0).producerId()).isEqualTo(11L);
        assertThat(batches.get(0).baseOffset()).isEqualTo(1L);
        assertThat(batches.get(0).countOrNull()).isZero();
        assertThat(batches.get(1).isControlBatch()).isTrue();
        assertThat(log.abortedTxns()).containsExactly(new AbortedTxn(11L, 0, 2, 3));
    }

    @Test
    void aMarkerWithoutBatchesLeftGoesAfterItsDeleteHorizon() throws IOException {
        txn(11L, "a", "aborted");
        log.appendMarker(11L, (short) 0, 0, false, 0); // 1
        txn(11L, "d", "later-committed"); // 2: producer 11's last data batch
        log.appendMarker(11L, (short) 0, 0, true, 0); // 3
        values(60, 3);

        clean().orElseThrow();
        // The aborted batch is gone; its marker stays until the horizon stamped now.
        assertThat(batches().get(0).isControlBatch()).isTrue();
        assertThat(batches().get(0).baseOffset()).isEqualTo(1L);
        assertThat(batches().get(0).deleteHorizonMs()).hasValue(fx.time.milliseconds() + DELETE_RETENTION_MS);
        assertThat(log.abortedTxns()).hasSize(1);

        fx.time.sleep(DELETE_RETENTION_MS);
        clean().orElseThrow();
        assertThat(batches().get(0).baseOffset()).isEqualTo(2L);
        assertThat(log.abortedTxns()).isEmpty();
        assertThat(values()).contains("d=later-committed");
        // The removal survives a restart: the index file was rewritten.
        fx.reopen();
        assertThat(fx.manager.get(TP).orElseThrow().abortedTxns()).isEmpty();
    }
}
