package dev.skein.broker.log;

import dev.skein.broker.txn.ProducerStateManager;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transactional view of one partition's log on top of its {@link ProducerStateManager}: the first unstable offset
 * (and so the last stable offset, LSO), the aborted-transaction index, and the verification guards of KIP-890.
 *
 * <p><b>First unstable offset</b>: the smallest first offset of a transaction that is open, or that is complete but
 * whose marker is not yet below the high watermark (Kafka's "unreplicated" transactions: a consumer must not read
 * past a decision the log could still lose). The last stable offset is {@code min(first unstable, high watermark)}.
 *
 * <p><b>Verification guards</b> (KIP-890 part 1): before the produce path asks the transaction coordinator about a
 * producer that has no transaction open in this partition, it takes a guard ({@link #verificationGuard}); a marker for
 * that producer, or the first batch of its transaction, drops the guard. A transactional client batch is appended
 * only while its producer has a transaction open here at its epoch or its guard is still the one the verification
 * started with ({@link #checkClientBatch}): a verification that raced a marker cannot start a transaction the
 * coordinator no longer knows (a hanging transaction).
 *
 * <p><b>Persistence</b>: aborted transactions are appended to their segment's {@code .txnindex} file after each append
 * ({@link #persistToActive}) and the file is rewritten after a truncation or a cleaner swap ({@link #rewriteFile}).
 *
 * <p>Threading: every mutator, the {@code .txnindex} writes included, runs on the log's single writer (under the
 * {@link PartitionLog} monitor, its writer lock); {@link #lastStableOffset} and {@link #abortedTransactions} are
 * lock-free reads for fetches.
 */
final class TransactionState {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionState.class);

    private final ProducerStateManager producers;
    private final AbortedTxnIndex aborted = new AbortedTxnIndex();
    /**
     * Completed transactions whose marker is at or above the high watermark, in marker order: {first, marker,
     * producerId}.
     */
    private final ArrayDeque<long[]> unreplicated = new ArrayDeque<>();

    private final Map<Long, Object> guards = new HashMap<>();
    /** Aborted transactions indexed in memory but not yet appended to their segment's {@code .txnindex} file. */
    private final List<AbortedTxn> unpersisted = new ArrayList<>(0);

    private volatile long firstUnstable = Long.MAX_VALUE;

    TransactionState(ProducerStateManager producers) {
        this.producers = producers;
    }

    ProducerStateManager producers() {
        return producers;
    }

    /**
     * Records {@code batch} (with a producer id, appended at its final offsets) in the producer state and, for a
     * marker that ends an open transaction, in the unreplicated list and (ABORT) the aborted-transaction index. The
     * same for leader appends, follower appends and recovery replay, so every replica builds the same index.
     */
    void onAppend(RecordBatch batch, InetAddress client) {
        if (!batch.isTransactional()) {
            producers.onAppend(batch, client);
            return;
        }
        long producerId = batch.producerId();
        if (!batch.isControlBatch()) {
            producers.onAppend(batch, client);
            if (!guards.isEmpty()) {
                guards.remove(producerId);
            }
            refresh();
            return;
        }
        long first = producers.openTxnFirstOffset(producerId);
        producers.onAppend(batch, client);
        if (!guards.isEmpty()) {
            guards.remove(producerId);
        }
        ControlRecordType type = markerType(batch);
        if (first >= 0 && (type == ControlRecordType.ABORT || type == ControlRecordType.COMMIT)) {
            long marker = batch.lastOffset();
            if (type == ControlRecordType.ABORT) {
                long lso = Math.min(Math.min(producers.firstUnstableOffsetOrMax(), firstUnreplicated()), marker + 1);
                AbortedTxn txn = new AbortedTxn(producerId, first, marker, lso);
                aborted.add(txn);
                unpersisted.add(txn);
            }
            unreplicated.addLast(new long[] {first, marker, producerId});
        }
        refresh();
    }

    /** The type of the marker in a control batch, or null when it holds no record (emptied by compaction). */
    static ControlRecordType markerType(RecordBatch batch) {
        Iterator<Record> records = batch.iterator();
        if (!records.hasNext()) {
            return null;
        }
        Record record = records.next();
        return record.hasKey() ? ControlRecordType.parse(record.key()) : ControlRecordType.UNKNOWN;
    }

    /** The high watermark moved to {@code hw}: completed transactions whose marker is below it are now stable. */
    void onHighWatermark(long hw) {
        if (unreplicated.isEmpty() || unreplicated.peekFirst()[1] >= hw) {
            return;
        }
        unreplicated.removeIf(txn -> txn[1] < hw);
        refresh();
    }

    /**
     * Truncates the producer state and this view to {@code offset}, the new log end. A transaction whose marker is cut
     * off but whose records stay is open again (its marker was above the high watermark: the unreplicated list knows
     * it), so the last stable offset does not pass its undecided records.
     */
    void truncateFrom(long offset) {
        for (long[] txn : unreplicated) {
            if (txn[1] >= offset && txn[0] < offset) {
                producers.reopenTxn(txn[2], txn[0]);
            }
        }
        producers.truncateFrom(offset);
        aborted.truncateFrom(offset);
        unpersisted.removeIf(txn -> txn.lastOffset() >= offset);
        unreplicated.removeIf(txn -> txn[1] >= offset);
        refresh();
    }

    /**
     * Appends the aborted transactions indexed since the last call to the {@code .txnindex} file of {@code segment},
     * the segment their markers were just written to. Cheap when there are none (the common case).
     */
    void persistTo(LogSegment segment, Path dir) throws IOException {
        if (unpersisted.isEmpty()) {
            return;
        }
        Path file = TxnIndexFile.path(dir, segment.baseOffset());
        for (AbortedTxn txn : unpersisted) {
            TxnIndexFile.append(file, txn);
        }
        unpersisted.clear();
    }

    /**
     * {@link #persistTo} for the active segment of {@code log}, after an append. A failed write removes the file, so
     * that the next start rebuilds it from the log instead of trusting a file that misses an entry; the append stands.
     */
    void persistToActive(LogSegment active, Path dir, Object log) {
        try {
            persistTo(active, dir);
        } catch (IOException e) {
            LOG.error(
                    "{}: writing the transaction index of {} failed; it is rebuilt on the next start", log, active, e);
            try {
                Files.deleteIfExists(TxnIndexFile.path(dir, active.baseOffset()));
            } catch (IOException again) {
                LOG.error("{}: removing the transaction index of {} failed", log, active, again);
            }
        }
    }

    /** The control batch of a COMMIT or ABORT marker the coordinator sent (WriteTxnMarkers), stamped {@code now}. */
    static MemoryRecords markerRecords(
            long now, long producerId, short producerEpoch, int coordinatorEpoch, boolean commit) {
        ControlRecordType type = commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT;
        return MemoryRecords.withEndTransactionMarker(
                now, producerId, producerEpoch, new EndTransactionMarker(type, coordinatorEpoch));
    }

    /** Rewrites the {@code .txnindex} file of the segment {@code [baseOffset, nextOffset)} from the index. */
    void rewriteFile(Path dir, long baseOffset, long nextOffset) throws IOException {
        List<AbortedTxn> inSegment = new ArrayList<>();
        for (AbortedTxn txn : aborted.all()) {
            if (txn.lastOffset() >= baseOffset && txn.lastOffset() < nextOffset) {
                inSegment.add(txn);
            }
        }
        TxnIndexFile.write(TxnIndexFile.path(dir, baseOffset), inSegment);
    }

    /** Forgets the aborted transactions whose ABORT marker at one of {@code markerOffsets} the cleaner removed. */
    void removeAborted(Set<Long> markerOffsets) {
        if (!markerOffsets.isEmpty()) {
            aborted.removeMarkers(markerOffsets);
        }
    }

    /** The log start moved to {@code logStartOffset}: aborted transactions wholly below it are forgotten. */
    void onLogStart(long logStartOffset) {
        aborted.removeBelow(logStartOffset);
    }

    /** Replaces the index and unreplicated list by those rebuilt from the log (recovery). */
    void restore(List<AbortedTxn> abortedTxns, List<long[]> completedAtOrAboveHw) {
        for (AbortedTxn txn : abortedTxns) {
            aborted.add(txn);
        }
        unreplicated.addAll(completedAtOrAboveHw);
        refresh();
    }

    /**
     * The guard a produce must present to append the first transactional batch of {@code producerId} at
     * {@code epoch} here, or null when the producer has that transaction open already (no verification needed).
     */
    Object verificationGuard(long producerId, short epoch) {
        if (producers.hasOngoingTxn(producerId, epoch)) {
            return null;
        }
        return guards.computeIfAbsent(producerId, id -> new Object());
    }

    /**
     * Refuses a transactional client batch whose producer has no transaction open here at its epoch unless
     * {@code guard} is the producer's current guard.
     *
     * @throws InvalidTxnStateException when the verification is stale or never happened
     */
    void checkClientBatch(RecordBatch batch, Object guard) {
        if (!batch.isTransactional() || producers.hasOngoingTxn(batch.producerId(), batch.producerEpoch())) {
            return;
        }
        if (guard == null || guards.get(batch.producerId()) != guard) {
            throw new InvalidTxnStateException("Transactional batch of producer " + batch.producerId() + " at epoch "
                    + batch.producerEpoch() + " in " + producers.topicPartition()
                    + " was not verified with the transaction coordinator, or its transaction ended meanwhile");
        }
    }

    /** {@code min(first unstable offset, highWatermark)}; lock-free and allocation-free. */
    long lastStableOffset(long highWatermark) {
        return Math.min(firstUnstable, highWatermark);
    }

    /** The first unstable offset, {@link Long#MAX_VALUE} when every transaction is stable. */
    long firstUnstableOffset() {
        return firstUnstable;
    }

    /** Aborted transactions with records in {@code [from, to)} (see {@link AbortedTxnIndex#collect}). */
    List<FetchResponseData.AbortedTransaction> abortedTransactions(long from, long to) {
        return aborted.collect(from, to);
    }

    List<AbortedTxn> abortedTxns() {
        return aborted.all();
    }

    /** The completed transactions whose marker is at or above {@code hw}: {first, marker} pairs, in marker order. */
    List<long[]> unreplicatedAtOrAbove(long hw) {
        List<long[]> out = new ArrayList<>();
        for (long[] txn : unreplicated) {
            if (txn[1] >= hw) {
                out.add(txn);
            }
        }
        return out;
    }

    private long firstUnreplicated() {
        long min = Long.MAX_VALUE;
        for (long[] txn : unreplicated) {
            min = Math.min(min, txn[0]);
        }
        return min;
    }

    private void refresh() {
        firstUnstable = Math.min(producers.firstUnstableOffsetOrMax(), firstUnreplicated());
    }
}
