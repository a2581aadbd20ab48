package dev.skein.broker.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The aborted-transaction index of a partition log: built by ABORT markers, kept in the segments' {@code .txnindex}
 * files, trusted after a clean shutdown, rebuilt after a crash or when a file is missing or damaged, cut by truncation
 * and deleted with its segment; and the last stable offset it goes with.
 */
class TransactionIndexTest {
    private static final TopicPartition TP = new TopicPartition("txns", 0);
    private static final long PRODUCER = 7L;
    private static final short EPOCH = 0;

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

    private PartitionLog log() throws IOException {
        return fx.manager.getOrCreate(TP, LogConfig.defaults());
    }

    private PartitionLog reopened() throws IOException {
        fx.manager = fx.open();
        return fx.manager.get(TP).orElseThrow();
    }

    private static MemoryRecords txn(long producerId, int sequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(1000L, null, LogFixture.bytes(values[i]));
        }
        return MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, EPOCH, sequence, records);
    }

    private Path indexFile(long baseOffset) {
        return TxnIndexFile.path(dataDir.resolve(PartitionLog.dirName(TP)), baseOffset);
    }

    /** Offsets 0-1 aborted txn of PRODUCER (marker 2), 3 plain, 4 txn of producer 8 committed (marker 5). */
    private PartitionLog writeAbortedAndCommitted() throws IOException {
        PartitionLog log = log();
        log.append(txn(PRODUCER, 0, "a", "b"), 0);
        log.appendMarker(PRODUCER, EPOCH, 0, false, 0);
        log.append(LogFixture.batch(1000L, "plain"), 0);
        log.append(txn(8L, 0, "c"), 0);
        log.appendMarker(8L, EPOCH, 0, true, 0);
        log.updateHighWatermark(log.logEndOffset());
        return log;
    }

    @Test
    void anAbortMarkerIndexesItsTransactionInMemoryAndInItsSegmentFile() throws IOException {
        PartitionLog log = writeAbortedAndCommitted();
        assertThat(log.abortedTxns()).containsExactly(new AbortedTxn(PRODUCER, 0, 2, 3));
        assertThat(log.abortedTransactions(0, 6))
                .containsExactly(
                        new AbortedTransaction().setProducerId(PRODUCER).setFirstOffset(0));
        assertThat(log.abortedTransactions(3, 6)).isEmpty();
        assertThat(Files.size(indexFile(0))).isEqualTo(TxnIndexFile.ENTRY_BYTES);
        assertThat(log.lastStableOffset()).isEqualTo(6);
    }

    @Test
    void aCleanRestartTrustsTheIndexFiles() throws IOException {
        writeAbortedAndCommitted();
        fx.manager.close();
        // A valid entry the log does not justify: only a load that reads the file (no rescan) reports it.
        TxnIndexFile.write(indexFile(0), List.of(new AbortedTxn(99L, 3, 4, 5)));
        assertThat(reopened().abortedTxns()).containsExactly(new AbortedTxn(99L, 3, 4, 5));
    }

    @Test
    void aMissingOrDamagedIndexFileIsRebuiltFromTheLog() throws IOException {
        writeAbortedAndCommitted();
        fx.manager.close();
        Files.delete(indexFile(0));
        assertThat(reopened().abortedTxns()).containsExactly(new AbortedTxn(PRODUCER, 0, 2, 3));
        assertThat(Files.size(indexFile(0))).isEqualTo(TxnIndexFile.ENTRY_BYTES);

        fx.manager.close();
        Files.write(indexFile(0), new byte[] {0, 0, 0, 0, 7});
        assertThat(reopened().abortedTxns()).containsExactly(new AbortedTxn(PRODUCER, 0, 2, 3));

        fx.manager.close();
        // Well-formed but pointing outside its segment.
        TxnIndexFile.write(indexFile(0), List.of(new AbortedTxn(PRODUCER, 0, 500, 501)));
        assertThat(reopened().abortedTxns()).containsExactly(new AbortedTxn(PRODUCER, 0, 2, 3));
    }

    @Test
    void aCrashRebuildsTheIndexAndTheOpenTransactionsHoldTheLastStableOffset() throws IOException {
        PartitionLog log = writeAbortedAndCommitted();
        log.append(txn(9L, 0, "open"), 0); // 6, never decided
        log.updateHighWatermark(log.logEndOffset());
        log.flush();
        fx.closeAsCrashed();
        TxnIndexFile.write(indexFile(0), List.of(new AbortedTxn(99L, 3, 4, 5)));
        PartitionLog recovered = reopened();
        assertThat(recovered.recoveryResult().cleanShutdown()).isFalse();
        assertThat(recovered.abortedTxns()).containsExactly(new AbortedTxn(PRODUCER, 0, 2, 3));
        assertThat(recovered.lastStableOffset()).isEqualTo(6);
    }

    @Test
    void truncationBelowAMarkerForgetsTheAbortAndReopensTheTransaction() throws IOException {
        PartitionLog log = log();
        log.append(txn(PRODUCER, 0, "a"), 0); // 0
        log.append(LogFixture.batch(1000L, "plain"), 0); // 1
        log.updateHighWatermark(2);
        log.appendMarker(PRODUCER, EPOCH, 0, false, 0); // 2, above the high watermark
        assertThat(log.abortedTxns()).hasSize(1);
        assertThat(log.lastStableOffset()).isEqualTo(0); // the marker is not replicated yet
        log.updateHighWatermark(3);
        assertThat(log.lastStableOffset()).isEqualTo(3);

        PartitionLog other = fx.manager.getOrCreate(new TopicPartition("txns", 1), LogConfig.defaults());
        other.append(txn(PRODUCER, 0, "a"), 0);
        other.append(LogFixture.batch(1000L, "plain"), 0);
        other.updateHighWatermark(2);
        other.appendMarker(PRODUCER, EPOCH, 0, false, 0);
        other.truncateTo(2);
        assertThat(other.abortedTxns()).isEmpty();
        assertThat(other.lastStableOffset()).isEqualTo(0);
        assertThat(Files.size(TxnIndexFile.path(dataDir.resolve("txns-1"), 0))).isZero();
    }

    @Test
    void theIndexFileGoesWithItsSegment() throws IOException {
        PartitionLog log = fx.manager.getOrCreate(TP, LogFixture.config(LogConfig.SEGMENT_BYTES, "200"));
        log.append(txn(PRODUCER, 0, "a"), 0);
        log.appendMarker(PRODUCER, EPOCH, 0, false, 0);
        for (int i = 0; i < 5; i++) {
            log.append(LogFixture.batch(1000L, "filler-" + i), 0);
        }
        log.updateHighWatermark(log.logEndOffset());
        assertThat(log.numberOfSegments()).isGreaterThan(2);
        assertThat(Files.size(indexFile(0))).isEqualTo(TxnIndexFile.ENTRY_BYTES);
        long secondSegment = log.segments().get(1).baseOffset();
        assertThat(indexFile(secondSegment)).exists();
        log.deleteRecordsBefore(secondSegment);
        assertThat(indexFile(0)).doesNotExist();
        assertThat(log.abortedTxns()).isEmpty();
    }

    @Test
    void theReaderStopsAtTheFirstEntryStableBeyondTheRange() {
        AbortedTxnIndex index = new AbortedTxnIndex();
        index.add(new AbortedTxn(1, 0, 10, 5)); // transaction 2 was open at its end
        index.add(new AbortedTxn(2, 5, 20, 21));
        index.add(new AbortedTxn(3, 30, 40, 41));
        assertThat(index.collect(0, 11))
                .extracting(AbortedTransaction::producerId)
                .containsExactly(1L, 2L);
        assertThat(index.collect(11, 25))
                .extracting(AbortedTransaction::producerId)
                .containsExactly(2L);
        assertThat(index.collect(41, 100)).isEmpty();
        index.truncateFrom(20);
        assertThat(index.all()).hasSize(1);
        index.removeBelow(11);
        assertThat(index.all()).isEmpty();
    }
}
