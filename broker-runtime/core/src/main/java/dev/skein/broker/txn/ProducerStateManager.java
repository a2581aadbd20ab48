package dev.skein.broker.txn;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.TransactionCoordinatorFencedException;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;

/**
 * Per-partition producer state: dedupes retried batches, rejects sequence gaps, fences old epochs, and tracks the
 * open transaction of each producer (Kafka's idempotence and transaction rules, KIP-98 / KIP-360).
 *
 * <p><b>Protocol.</b> The partition's writer calls {@link #check} before appending a batch from a client (or a
 * transaction marker from the coordinator) and {@link #onAppend} after the batch was written at its final offsets.
 * Recovery replays the log through {@link #onAppend} only, starting from a {@link #restore}d snapshot or from an empty
 * manager. {@code check} never mutates state, so a batch that is rejected later (e.g. by a full disk) leaves no trace.
 *
 * <p><b>Rules applied by {@code check}</b> to a batch of producer {@code p} with epoch {@code e}:
 * <ul>
 *   <li>no producer id: {@link BatchCheck.Append};
 *   <li>{@code p} unknown: accepted whatever its first sequence. Like Kafka since 2.5 (KIP-360): the producer's state
 *       may have been removed by expiration, retention or truncation while the producer kept writing, and refusing
 *       would make every long-idle producer fail with UNKNOWN_PRODUCER_ID / OUT_OF_ORDER_SEQUENCE;
 *   <li>{@code e} below the current epoch: {@link InvalidProducerEpochException} (the fenced zombie's batch);
 *   <li>{@code e} equal and the sequence range equals one of the last {@value ProducerEntry#MAX_BATCHES} batches:
 *       {@link BatchCheck.Duplicate} with the original offsets;
 *   <li>{@code e} above the current epoch: the first sequence must be 0, else {@link OutOfOrderSequenceException}.
 *       Stricter than Kafka 4.4 (which lets anyone who names the producer id open a new epoch, fencing the real
 *       producer): a client batch opening a new epoch must come from the client address that opened the current
 *       epoch in this partition, else {@link InvalidProducerEpochException}. An idempotent Java producer bumps its
 *       epoch itself (no InitProducerId) after a failed batch, from its own address, so it is unaffected; a producer
 *       whose source address changes between the two epochs (several NAT egress addresses) is refused, and a guessing
 *       client on the producer's own host is not stopped. The address is not persisted: after a restart the next
 *       client batch names it;
 *   <li>{@code e} equal: the first sequence must follow the last one ({@code Integer.MAX_VALUE} wraps to 0), else
 *       {@link OutOfOrderSequenceException}; a retry of a batch older than the last five lands here too;
 *   <li>a non-transactional batch while the producer's transaction is open: {@link InvalidTxnStateException};
 *   <li>a control batch (commit/abort marker): fenced by producer epoch as above, and
 *       {@link TransactionCoordinatorFencedException} if its coordinator epoch is older than the last marker's.
 * </ul>
 * Batches with a producer id but no sequence (written by the broker's own group coordinator for transactional offset
 * commits) get only the epoch check and are not remembered for deduplication; client batches of that shape must be
 * refused by the request validator.
 *
 * <p><b>Threading.</b> Confined to the partition's single writer; not thread-safe. {@link #entry} returns a detached
 * copy that may be handed to other threads.
 *
 * <p><b>Durability.</b> Nothing here is durable: {@link #snapshot()} serialises the state (format in
 * {@link ProducerStateSnapshotCodec}) for the broker's MapDB store; whatever the snapshot misses is rebuilt by
 * replaying the log from the snapshot's offset.
 */
public final class ProducerStateManager {
    private final TopicPartition topicPartition;
    private final Time time;
    private final Map<Long, ProducerEntry> producers;
    /** First offset of each open transaction -> its producer id; the smallest key is the first unstable offset. */
    private final TreeMap<Long, Long> ongoingTxns;

    public ProducerStateManager(TopicPartition topicPartition, Time time) {
        this(topicPartition, time, new HashMap<>(), new TreeMap<>());
    }

    private ProducerStateManager(
            TopicPartition topicPartition,
            Time time,
            Map<Long, ProducerEntry> producers,
            TreeMap<Long, Long> ongoingTxns) {
        this.topicPartition = topicPartition;
        this.time = time;
        this.producers = producers;
        this.ongoingTxns = ongoingTxns;
    }

    /**
     * Rebuilds the state saved by {@link #snapshot()}.
     *
     * @throws CorruptSnapshotException for an unknown format version, a checksum mismatch or inconsistent content
     */
    public static ProducerStateManager restore(TopicPartition topicPartition, Time time, byte[] snapshot) {
        Map<Long, ProducerEntry> producers = new HashMap<>();
        TreeMap<Long, Long> ongoingTxns = new TreeMap<>();
        for (ProducerEntry entry : ProducerStateSnapshotCodec.decode(topicPartition, snapshot)) {
            if (producers.put(entry.producerId(), entry) != null) {
                throw new CorruptSnapshotException("Producer state snapshot of " + topicPartition
                        + " lists producer id " + entry.producerId() + " twice");
            }
            entry.currentTxnFirstOffset().ifPresent(offset -> ongoingTxns.put(offset, entry.producerId()));
        }
        return new ProducerStateManager(topicPartition, time, producers, ongoingTxns);
    }

    /** Decides whether {@code batch}, not yet appended, is new, a duplicate, or must be refused (see class doc). */
    public BatchCheck check(RecordBatch batch) {
        return check(batch, null);
    }

    /**
     * Like {@link #check(RecordBatch)} for a batch a client at {@code client} sent (null: the broker's own), plus
     * the epoch-bump rule of the class doc.
     */
    public BatchCheck check(RecordBatch batch, InetAddress client) {
        if (!batch.hasProducerId()) {
            return new BatchCheck.Append();
        }
        ProducerEntry entry = producers.get(batch.producerId());
        if (entry == null) {
            return new BatchCheck.Append();
        }
        short epoch = batch.producerEpoch();
        if (epoch < entry.epoch()) {
            throw new InvalidProducerEpochException("Epoch " + epoch + " of producer " + batch.producerId() + " in "
                    + topicPartition + " is older than its current epoch " + entry.epoch());
        }
        if (batch.isControlBatch()) {
            checkCoordinatorEpoch(entry, batch);
            return new BatchCheck.Append();
        }
        if (batch.baseSequence() == RecordBatch.NO_SEQUENCE) {
            return new BatchCheck.Append();
        }
        checkEpochBump(entry, batch, client);
        if (epoch == entry.epoch()) {
            Optional<ProducerEntry.BatchMetadata> duplicate =
                    entry.findBatch(batch.baseSequence(), batch.lastSequence());
            if (duplicate.isPresent()) {
                ProducerEntry.BatchMetadata original = duplicate.get();
                return new BatchCheck.Duplicate(original.firstOffset(), original.lastOffset(), original.timestamp());
            }
        }
        checkSequence(entry, batch);
        if (!batch.isTransactional() && entry.currentTxnFirstOffset().isPresent()) {
            throw new InvalidTxnStateException("Producer " + batch.producerId() + " sent a non-transactional batch to "
                    + topicPartition + " while its transaction starting at offset "
                    + entry.currentTxnFirstOffset().getAsLong() + " is open");
        }
        return new BatchCheck.Append();
    }

    private void checkEpochBump(ProducerEntry entry, RecordBatch batch, InetAddress client) {
        InetAddress writer = entry.epochWriter();
        if (batch.producerEpoch() > entry.epoch() && client != null && writer != null && !writer.equals(client)) {
            throw new InvalidProducerEpochException("Producer " + batch.producerId() + " in " + topicPartition
                    + " is at epoch " + entry.epoch() + ", opened by another client; only that client may start epoch "
                    + batch.producerEpoch());
        }
    }

    private void checkSequence(ProducerEntry entry, RecordBatch batch) {
        int firstSeq = batch.baseSequence();
        if (batch.producerEpoch() > entry.epoch()) {
            if (firstSeq != 0) {
                throw new OutOfOrderSequenceException("Producer " + batch.producerId() + " starts new epoch "
                        + batch.producerEpoch() + " in " + topicPartition + " with sequence " + firstSeq
                        + " instead of 0");
            }
            return;
        }
        int lastSeq = entry.lastSeq();
        if (!inSequence(lastSeq, firstSeq)) {
            throw new OutOfOrderSequenceException(
                    "Out of order sequence for producer " + batch.producerId() + " in " + topicPartition + ": got "
                            + firstSeq + " after " + lastSeq + " at epoch " + batch.producerEpoch());
        }
    }

    private static boolean inSequence(int lastSeq, int nextSeq) {
        return nextSeq == lastSeq + 1L || (nextSeq == 0 && lastSeq == Integer.MAX_VALUE);
    }

    private void checkCoordinatorEpoch(ProducerEntry entry, RecordBatch batch) {
        Iterator<Record> records = batch.iterator();
        if (!records.hasNext()) {
            return;
        }
        int coordinatorEpoch = EndTransactionMarker.deserialize(records.next()).coordinatorEpoch();
        if (coordinatorEpoch < entry.coordinatorEpoch()) {
            throw new TransactionCoordinatorFencedException("Marker for producer " + batch.producerId() + " in "
                    + topicPartition + " has coordinator epoch " + coordinatorEpoch + ", older than "
                    + entry.coordinatorEpoch());
        }
    }

    /**
     * Records {@code batch}, appended at its final offsets. Trusts the batch (no validation), so it also serves log
     * replay during recovery and on followers. A control batch ends the producer's open transaction.
     */
    public void onAppend(RecordBatch batch) {
        onAppend(batch, null);
    }

    /** Like {@link #onAppend(RecordBatch)}; {@code client} (null: unknown) becomes the epoch's writer if it has none. */
    public void onAppend(RecordBatch batch, InetAddress client) {
        if (!batch.hasProducerId()) {
            return;
        }
        long producerId = batch.producerId();
        ProducerEntry entry = producers.computeIfAbsent(producerId, ProducerEntry::empty);
        entry.updateEpoch(batch.producerEpoch());
        if (client != null && !batch.isControlBatch()) {
            entry.bindEpochWriter(client);
        }
        if (batch.isControlBatch()) {
            onMarker(entry, batch);
            return;
        }
        if (batch.baseSequence() != RecordBatch.NO_SEQUENCE) {
            entry.addBatch(new ProducerEntry.BatchMetadata(
                    batch.baseSequence(),
                    batch.lastSequence(),
                    batch.baseOffset(),
                    (int) (batch.lastOffset() - batch.baseOffset()),
                    batch.maxTimestamp()));
        }
        if (batch.isTransactional() && entry.currentTxnFirstOffset().isEmpty()) {
            entry.beginTxn(batch.baseOffset());
            ongoingTxns.put(batch.baseOffset(), producerId);
        }
    }

    private void onMarker(ProducerEntry entry, RecordBatch batch) {
        Iterator<Record> records = batch.iterator();
        if (!records.hasNext()) {
            // Compaction emptied the marker: its transaction's data is gone from the log too.
            return;
        }
        Record record = records.next();
        int coordinatorEpoch = EndTransactionMarker.deserialize(record).coordinatorEpoch();
        entry.currentTxnFirstOffset().ifPresent(ongoingTxns::remove);
        entry.endTxn(coordinatorEpoch, record.timestamp());
    }

    /** Serialises the whole state; see {@link ProducerStateSnapshotCodec} for the format. */
    public byte[] snapshot() {
        return ProducerStateSnapshotCodec.encode(producers.values());
    }

    /**
     * Forgets every batch at or after {@code offset} after the log was truncated there. A producer left with no
     * batch is removed, unless its open transaction starts below {@code offset}: that entry is kept (epoch and
     * transaction) so the transaction still holds back the last stable offset; its next batch must then carry
     * sequence 0 or a new epoch, so a producer retrying mid-sequence gets OUT_OF_ORDER_SEQUENCE and aborts, which is
     * safe. Truncation below the last five batches of an open transaction is rare (leader change only).
     */
    public void truncateFrom(long offset) {
        Iterator<ProducerEntry> it = producers.values().iterator();
        while (it.hasNext()) {
            ProducerEntry entry = it.next();
            OptionalLong txnBefore = entry.currentTxnFirstOffset();
            boolean hasBatches = entry.truncateFrom(offset);
            if (txnBefore.isPresent() && entry.currentTxnFirstOffset().isEmpty()) {
                ongoingTxns.remove(txnBefore.getAsLong());
            }
            if (!hasBatches && entry.currentTxnFirstOffset().isEmpty()) {
                it.remove();
            }
        }
    }

    /**
     * Removes producers without an open transaction whose last batch or marker timestamp is at least
     * {@code expirationMs} old (Kafka's {@code producer.id.expiration.ms}); returns how many were removed.
     */
    public int removeExpiredProducers(long expirationMs) {
        long now = time.milliseconds();
        int removed = 0;
        Iterator<ProducerEntry> it = producers.values().iterator();
        while (it.hasNext()) {
            ProducerEntry entry = it.next();
            if (entry.currentTxnFirstOffset().isEmpty() && now - entry.lastTimestamp() >= expirationMs) {
                it.remove();
                removed++;
            }
        }
        return removed;
    }

    /** A detached copy of what is known about {@code producerId}. */
    public Optional<ProducerEntry> entry(long producerId) {
        ProducerEntry entry = producers.get(producerId);
        return entry == null ? Optional.empty() : Optional.of(entry.copy());
    }

    /**
     * First offset of the open transaction of {@code producerId} in this partition, or -1 when it has none. Does not
     * allocate.
     */
    public long openTxnFirstOffset(long producerId) {
        ProducerEntry entry = producers.get(producerId);
        return entry == null ? -1L : entry.currentTxnFirstOffset().orElse(-1L);
    }

    /** Whether {@code producerId} has a transaction open here at {@code epoch}: its next batches need no verification. */
    public boolean hasOngoingTxn(long producerId, short epoch) {
        ProducerEntry entry = producers.get(producerId);
        return entry != null
                && entry.epoch() == epoch
                && entry.currentTxnFirstOffset().isPresent();
    }

    /**
     * Smallest first offset of an open transaction, or {@link Long#MAX_VALUE} when none is open. Does not allocate, so
     * the append path may call it after every transactional batch.
     */
    public long firstUnstableOffsetOrMax() {
        return ongoingTxns.isEmpty() ? Long.MAX_VALUE : ongoingTxns.firstKey();
    }

    /**
     * Smallest first offset of an open transaction of a producer other than {@code producerId}, or
     * {@link Long#MAX_VALUE}: the last stable offset right after {@code producerId}'s transaction completes.
     */
    public long firstUnstableOffsetExcluding(long producerId) {
        for (Map.Entry<Long, Long> txn : ongoingTxns.entrySet()) {
            if (txn.getValue() != producerId) {
                return txn.getKey();
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * Reopens the transaction of {@code producerId} that started at {@code firstOffset}, when the log is about to be
     * truncated below the marker that ended it: the transaction is undecided again in this log. Does nothing when the
     * producer is unknown or has a transaction open.
     */
    public void reopenTxn(long producerId, long firstOffset) {
        ProducerEntry entry = producers.get(producerId);
        if (entry == null || entry.currentTxnFirstOffset().isPresent()) {
            return;
        }
        entry.beginTxn(firstOffset);
        ongoingTxns.put(firstOffset, producerId);
    }

    /** The producers known here, detached copies (DescribeProducers). */
    public List<ProducerEntry> entries() {
        List<ProducerEntry> copies = new ArrayList<>(producers.size());
        for (ProducerEntry entry : producers.values()) {
            copies.add(entry.copy());
        }
        return copies;
    }

    /** Smallest first offset of an open transaction, empty when none is open. */
    public OptionalLong firstUnstableOffset() {
        return ongoingTxns.isEmpty() ? OptionalLong.empty() : OptionalLong.of(ongoingTxns.firstKey());
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }
}
