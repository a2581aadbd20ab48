package dev.skein.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.skein.testkit.time.ManualTime;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

class ProducerStateManagerTest {
    private static final TopicPartition TP = new TopicPartition("orders", 3);
    private static final long PID = 1000L;
    private static final long OTHER_PID = 2000L;

    private final ManualTime time = new ManualTime(1_700_000_000_000L);
    private final ProducerStateManager state = new ProducerStateManager(TP, time);
    /** Next offset the simulated log assigns. */
    private long logEndOffset;

    @Test
    void batchWithoutProducerIdIsAppendedAndLeavesNoState() {
        MutableRecordBatch batch = single(MemoryRecords.withRecords(Compression.NONE, records(2)));

        assertThat(state.check(batch)).isEqualTo(new BatchCheck.Append());
        append(batch);

        assertThat(state.snapshot()).isEqualTo(new ProducerStateManager(TP, time).snapshot());
    }

    @Test
    void unknownProducerIsAcceptedWhateverItsFirstSequence() {
        MutableRecordBatch batch = idempotent(PID, (short) 0, 42, 3);

        assertThat(state.check(batch)).isEqualTo(new BatchCheck.Append());
        append(batch);

        assertThat(state.check(idempotent(PID, (short) 0, 45, 1))).isEqualTo(new BatchCheck.Append());
    }

    @Test
    void retryOfEachOfTheLastFiveBatchesIsADuplicateWithItsOriginalOffsets() {
        logEndOffset = 100;
        long[] timestamps = new long[5];
        for (int i = 0; i < 5; i++) {
            time.sleep(10);
            MutableRecordBatch batch = idempotent(PID, (short) 0, i * 2, 2);
            timestamps[i] = batch.maxTimestamp();
            append(batch);
        }
        time.sleep(10);

        for (int i = 0; i < 5; i++) {
            long firstOffset = 100 + i * 2L;
            assertThat(state.check(idempotent(PID, (short) 0, i * 2, 2)))
                    .isEqualTo(new BatchCheck.Duplicate(firstOffset, firstOffset + 1, timestamps[i]));
        }
    }

    @Test
    void retryOfABatchOlderThanTheLastFiveIsOutOfOrder() {
        for (int i = 0; i < 6; i++) {
            append(idempotent(PID, (short) 0, i, 1));
        }

        assertDuplicate(state.check(idempotent(PID, (short) 0, 1, 1)), 1, 1);
        assertThatThrownBy(() -> state.check(idempotent(PID, (short) 0, 0, 1)))
                .isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void sequenceGapIsOutOfOrder() {
        append(idempotent(PID, (short) 0, 0, 3));

        assertThatThrownBy(() -> state.check(idempotent(PID, (short) 0, 4, 1)))
                .isInstanceOf(OutOfOrderSequenceException.class)
                .hasMessageContaining("got 4 after 2");
        assertThat(state.check(idempotent(PID, (short) 0, 3, 1))).isEqualTo(new BatchCheck.Append());
    }

    @Test
    void partiallyOverlappingRetryIsNotADuplicate() {
        append(idempotent(PID, (short) 0, 0, 4));

        assertThatThrownBy(() -> state.check(idempotent(PID, (short) 0, 0, 2)))
                .isInstanceOf(OutOfOrderSequenceException.class);
    }

    @Test
    void olderEpochIsFenced() {
        append(idempotent(PID, (short) 1, 0, 1));

        assertThatThrownBy(() -> state.check(idempotent(PID, (short) 0, 1, 1)))
                .isInstanceOf(InvalidProducerEpochException.class);
        // A retry of a batch the zombie wrote under the old epoch is fenced too, not answered as a duplicate.
        assertThatThrownBy(() -> state.check(idempotent(PID, (short) 0, 0, 1)))
                .isInstanceOf(InvalidProducerEpochException.class);
    }

    @Test
    void newEpochMustStartAtSequenceZero() {
        append(idempotent(PID, (short) 0, 0, 5));

        assertThatThrownBy(() -> state.check(idempotent(PID, (short) 1, 5, 1)))
                .isInstanceOf(OutOfOrderSequenceException.class)
                .hasMessageContaining("instead of 0");
        assertThat(state.check(idempotent(PID, (short) 1, 0, 1))).isEqualTo(new BatchCheck.Append());
    }

    @Test
    void epochBumpResetsSequencesAndDedupWindow() {
        append(idempotent(PID, (short) 0, 0, 1));
        append(idempotent(PID, (short) 0, 1, 1));

        append(idempotent(PID, (short) 1, 0, 1));

        ProducerEntry entry = state.entry(PID).orElseThrow();
        assertThat(entry.epoch()).isEqualTo((short) 1);
        assertThat(entry.batches()).hasSize(1);
        assertThat(state.check(idempotent(PID, (short) 1, 1, 1))).isEqualTo(new BatchCheck.Append());
        assertThatThrownBy(() -> state.check(idempotent(PID, (short) 0, 1, 1)))
                .isInstanceOf(InvalidProducerEpochException.class);
    }

    @Test
    void sequenceWrapsFromIntMaxToZero() {
        append(idempotent(PID, (short) 0, Integer.MAX_VALUE - 1, 2));

        MutableRecordBatch next = idempotent(PID, (short) 0, 0, 1);
        assertThat(state.check(next)).isEqualTo(new BatchCheck.Append());
        append(next);
        assertThat(state.check(idempotent(PID, (short) 0, 1, 1))).isEqualTo(new BatchCheck.Append());
    }

    @Test
    void batchSpanningTheWrapIsDedupedAndContinuedAfterZero() {
        append(idempotent(PID, (short) 0, Integer.MAX_VALUE, 3));

        assertThat(state.entry(PID).orElseThrow().lastSeq()).isEqualTo(1);
        assertDuplicate(state.check(idempotent(PID, (short) 0, Integer.MAX_VALUE, 3)), 0, 2);
        assertThat(state.check(idempotent(PID, (short) 0, 2, 1))).isEqualTo(new BatchCheck.Append());
    }

    @Test
    void snapshotRestoreKeepsDedupEpochAndOpenTransactions() {
        for (int i = 0; i < 7; i++) {
            append(idempotent(PID, (short) 2, i, 1));
        }
        append(transactional(OTHER_PID, (short) 4, 0, 2));
        append(marker(OTHER_PID, (short) 4, ControlRecordType.COMMIT, 7));
        append(transactional(OTHER_PID, (short) 4, 2, 2));

        ProducerStateManager restored = ProducerStateManager.restore(TP, time, state.snapshot());

        assertThat(restored.snapshot()).isEqualTo(state.snapshot());
        assertDuplicate(restored.check(idempotent(PID, (short) 2, 2, 1)), 2, 2);
        assertThatThrownBy(() -> restored.check(idempotent(PID, (short) 2, 1, 1)))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThatThrownBy(() -> restored.check(idempotent(PID, (short) 1, 7, 1)))
                .isInstanceOf(InvalidProducerEpochException.class);
        assertThat(restored.firstUnstableOffset()).isEqualTo(OptionalLong.of(10));
        assertThat(restored.entry(OTHER_PID).orElseThrow().coordinatorEpoch()).isEqualTo(7);
    }

    @Test
    void restoreOfEmptyStateSnapshotIsEmpty() {
        ProducerStateManager restored = ProducerStateManager.restore(TP, time, state.snapshot());

        assertThat(restored.entry(PID)).isEmpty();
        assertThat(restored.firstUnstableOffset()).isEmpty();
    }

    @Test
    void restoreRejectsUnknownFormatVersion() {
        append(idempotent(PID, (short) 0, 0, 1));
        byte[] snapshot = state.snapshot();
        snapshot[0] = 9;

        assertThatThrownBy(() -> ProducerStateManager.restore(TP, time, snapshot))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("unknown format version 9")
                .hasMessageContaining(TP.toString());
    }

    @Test
    void restoreRejectsFlippedByte() {
        append(idempotent(PID, (short) 0, 0, 1));
        byte[] snapshot = state.snapshot();
        snapshot[10] ^= 0x40;

        assertThatThrownBy(() -> ProducerStateManager.restore(TP, time, snapshot))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("checksum");
    }

    @Test
    void restoreRejectsTruncatedSnapshot() {
        assertThatThrownBy(() -> ProducerStateManager.restore(TP, time, new byte[] {1, 0}))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void truncateFromForgetsBatchesAtOrAfterTheOffset() {
        append(idempotent(PID, (short) 0, 0, 2)); // offsets 0-1
        append(idempotent(PID, (short) 0, 2, 2)); // offsets 2-3
        append(idempotent(PID, (short) 0, 4, 2)); // offsets 4-5

        state.truncateFrom(4);

        assertThat(state.entry(PID).orElseThrow().batches())
                .extracting(ProducerEntry.BatchMetadata::lastOffset)
                .containsExactly(1L, 3L);
        // The producer's retry of the truncated batch is now new data again.
        assertThat(state.check(idempotent(PID, (short) 0, 4, 2))).isEqualTo(new BatchCheck.Append());
        assertDuplicate(state.check(idempotent(PID, (short) 0, 2, 2)), 2, 3);
    }

    @Test
    void truncateFromRemovesProducersLeftWithoutBatches() {
        append(idempotent(PID, (short) 0, 0, 2));
        append(idempotent(OTHER_PID, (short) 0, 0, 2));

        state.truncateFrom(2);

        assertThat(state.entry(PID)).isPresent();
        assertThat(state.entry(OTHER_PID)).isEmpty();
    }

    @Test
    void truncateFromDropsTransactionStartingAtOrAfterTheOffset() {
        append(idempotent(PID, (short) 0, 0, 2));
        append(transactional(OTHER_PID, (short) 0, 0, 2));

        state.truncateFrom(2);

        assertThat(state.firstUnstableOffset()).isEmpty();
    }

    @Test
    void truncateFromKeepsOpenTransactionThatStartedBeforeTheOffset() {
        for (int i = 0; i < 7; i++) {
            append(transactional(PID, (short) 0, i, 1));
        }

        state.truncateFrom(2);

        assertThat(state.firstUnstableOffset()).isEqualTo(OptionalLong.of(0));
        ProducerEntry entry = state.entry(PID).orElseThrow();
        assertThat(entry.batches()).isEmpty();
        assertThat(entry.currentTxnFirstOffset()).isEqualTo(OptionalLong.of(0));
    }

    @Test
    void controlBatchEndsTheOpenTransaction() {
        append(idempotent(PID, (short) 0, 0, 1)); // offset 0
        append(transactional(PID, (short) 0, 1, 2)); // offsets 1-2
        append(transactional(OTHER_PID, (short) 0, 0, 1)); // offset 3
        append(transactional(PID, (short) 0, 3, 1)); // offset 4

        assertThat(state.firstUnstableOffset()).isEqualTo(OptionalLong.of(1));
        assertThat(state.entry(PID).orElseThrow().currentTxnFirstOffset()).isEqualTo(OptionalLong.of(1));

        MutableRecordBatch commit = marker(PID, (short) 0, ControlRecordType.COMMIT, 0);
        assertThat(state.check(commit)).isEqualTo(new BatchCheck.Append());
        append(commit);

        assertThat(state.firstUnstableOffset()).isEqualTo(OptionalLong.of(3));
        assertThat(state.entry(PID).orElseThrow().currentTxnFirstOffset()).isEmpty();

        append(marker(OTHER_PID, (short) 0, ControlRecordType.ABORT, 0));
        assertThat(state.firstUnstableOffset()).isEmpty();
    }

    @Test
    void markerDoesNotConsumeASequenceNumber() {
        append(transactional(PID, (short) 0, 0, 2));
        append(marker(PID, (short) 0, ControlRecordType.COMMIT, 0));

        assertThat(state.check(transactional(PID, (short) 0, 2, 1))).isEqualTo(new BatchCheck.Append());
    }

    @Test
    void nextTransactionStartsAtItsOwnFirstOffset() {
        append(transactional(PID, (short) 0, 0, 2)); // offsets 0-1
        append(marker(PID, (short) 0, ControlRecordType.ABORT, 0)); // offset 2
        append(transactional(PID, (short) 0, 2, 1)); // offset 3

        assertThat(state.firstUnstableOffset()).isEqualTo(OptionalLong.of(3));
    }

    @Test
    void nonTransactionalBatchDuringOpenTransactionIsRejected() {
        append(transactional(PID, (short) 0, 0, 1));

        assertThatThrownBy(() -> state.check(idempotent(PID, (short) 0, 1, 1)))
                .isInstanceOf(InvalidTxnStateException.class);
    }

    @Test
    void markerWithOlderProducerEpochIsFenced() {
        append(transactional(PID, (short) 3, 0, 1));

        assertThatThrownBy(() -> state.check(marker(PID, (short) 2, ControlRecordType.ABORT, 0)))
                .isInstanceOf(InvalidProducerEpochException.class);
    }

    @Test
    void markerFromOlderCoordinatorEpochIsFenced() {
        append(transactional(PID, (short) 0, 0, 1));
        append(marker(PID, (short) 0, ControlRecordType.COMMIT, 5));
        append(transactional(PID, (short) 0, 1, 1));

        assertThatThrownBy(() -> state.check(marker(PID, (short) 0, ControlRecordType.COMMIT, 4)))
                .isInstanceOf(TransactionCoordinatorFencedException.class);
        assertThat(state.check(marker(PID, (short) 0, ControlRecordType.COMMIT, 5)))
                .isEqualTo(new BatchCheck.Append());
    }

    @Test
    void abortMarkerWithBumpedEpochMovesProducerToTheNewEpoch() {
        append(transactional(PID, (short) 0, 0, 3));
        append(marker(PID, (short) 1, ControlRecordType.ABORT, 0));

        assertThat(state.entry(PID).orElseThrow().epoch()).isEqualTo((short) 1);
        assertThat(state.firstUnstableOffset()).isEmpty();
        assertThatThrownBy(() -> state.check(transactional(PID, (short) 1, 3, 1)))
                .isInstanceOf(OutOfOrderSequenceException.class);
        assertThat(state.check(transactional(PID, (short) 1, 0, 1))).isEqualTo(new BatchCheck.Append());
    }

    @Test
    void removesIdleProducersButKeepsOpenTransactions() {
        append(idempotent(PID, (short) 0, 0, 1));
        append(transactional(OTHER_PID, (short) 0, 0, 1));

        time.sleep(TimeUnit.MINUTES.toMillis(10));
        assertThat(state.removeExpiredProducers(TimeUnit.HOURS.toMillis(1))).isZero();
        time.sleep(TimeUnit.HOURS.toMillis(1));

        assertThat(state.removeExpiredProducers(TimeUnit.HOURS.toMillis(1))).isEqualTo(1);
        assertThat(state.entry(PID)).isEmpty();
        assertThat(state.entry(OTHER_PID)).isPresent();
    }

    @Test
    void entryIsADetachedCopy() {
        append(idempotent(PID, (short) 0, 0, 1));
        ProducerEntry before = state.entry(PID).orElseThrow();

        append(idempotent(PID, (short) 0, 1, 1));

        assertThat(before.batches()).hasSize(1);
        assertThat(state.entry(PID).orElseThrow().batches()).hasSize(2);
    }

    // --- helpers simulating the producer and the log ---

    private static void assertDuplicate(BatchCheck check, long firstOffset, long lastOffset) {
        assertThat(check).isInstanceOfSatisfying(BatchCheck.Duplicate.class, duplicate -> {
            assertThat(duplicate.firstOffset()).isEqualTo(firstOffset);
            assertThat(duplicate.lastOffset()).isEqualTo(lastOffset);
        });
    }

    @Test
    void onlyTheClientThatOpenedAnEpochMayOpenTheNextOne() throws Exception {
        InetAddress producer = InetAddress.getByName("10.0.0.1");
        InetAddress intruder = InetAddress.getByName("10.0.0.2");
        MutableRecordBatch first = idempotent(PID, (short) 0, 0, 2);
        state.check(first, producer);
        state.onAppend(first, producer);

        assertThatThrownBy(() -> state.check(idempotent(PID, (short) 1, 0, 1), intruder))
                .isInstanceOf(InvalidProducerEpochException.class);
        // The same epoch from another address is Kafka's sequence business, not an epoch bump.
        assertThat(state.check(idempotent(PID, (short) 0, 2, 1), intruder)).isEqualTo(new BatchCheck.Append());

        MutableRecordBatch bumped = idempotent(PID, (short) 1, 0, 1);
        assertThat(state.check(bumped, producer)).isEqualTo(new BatchCheck.Append());
        state.onAppend(bumped, producer);
        assertThat(state.entry(PID).orElseThrow().epochWriter()).isEqualTo(producer);
        assertThatThrownBy(() -> state.check(idempotent(PID, (short) 2, 0, 1), intruder))
                .isInstanceOf(InvalidProducerEpochException.class);
    }

    @Test
    void epochOpenedByAnUnknownClientMayBeBumpedByAny() throws Exception {
        MutableRecordBatch recovered = idempotent(PID, (short) 0, 0, 1);
        append(recovered); // log replay: no client known

        InetAddress client = InetAddress.getByName("10.0.0.3");
        MutableRecordBatch bumped = idempotent(PID, (short) 1, 0, 1);
        assertThat(state.check(bumped, client)).isEqualTo(new BatchCheck.Append());
        state.onAppend(bumped, client);
        assertThat(state.entry(PID).orElseThrow().epochWriter()).isEqualTo(client);
    }

    private MutableRecordBatch idempotent(long producerId, short epoch, int baseSequence, int count) {
        return single(MemoryRecords.withIdempotentRecords(
                0L, Compression.NONE, producerId, epoch, baseSequence, 0, records(count)));
    }

    private MutableRecordBatch transactional(long producerId, short epoch, int baseSequence, int count) {
        return single(MemoryRecords.withTransactionalRecords(
                0L, Compression.NONE, producerId, epoch, baseSequence, 0, records(count)));
    }

    private MutableRecordBatch marker(long producerId, short epoch, ControlRecordType type, int coordinatorEpoch) {
        return single(MemoryRecords.withEndTransactionMarker(
                0L, time.milliseconds(), 0, producerId, epoch, new EndTransactionMarker(type, coordinatorEpoch)));
    }

    private SimpleRecord[] records(int count) {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(
                    time.milliseconds(),
                    ("k" + i).getBytes(StandardCharsets.UTF_8),
                    ("v" + i).getBytes(StandardCharsets.UTF_8));
        }
        return records;
    }

    private static MutableRecordBatch single(MemoryRecords records) {
        return records.batches().iterator().next();
    }

    /** Assigns the batch its offsets at the log end, as the log does, then records it. */
    private void append(MutableRecordBatch batch) {
        int lastOffsetDelta = (int) (batch.lastOffset() - batch.baseOffset());
        batch.setLastOffset(logEndOffset + lastOffsetDelta);
        logEndOffset += lastOffsetDelta + 1;
        state.onAppend(batch);
    }
}
