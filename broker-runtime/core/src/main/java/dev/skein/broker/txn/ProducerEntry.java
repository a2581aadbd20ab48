package dev.skein.broker.txn;

import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What one partition remembers about one producer id: its current epoch, the metadata of its last
 * {@value #MAX_BATCHES} batches (oldest first), the first offset of its open transaction and the epoch of the
 * transaction coordinator that last wrote a marker for it, and the client address that opened the current epoch here
 * (not persisted: after a restart the next client batch names it).
 *
 * <p>Mutated only by {@link ProducerStateManager} on the partition's writer thread. Instances handed out by
 * {@link ProducerStateManager#entry} are detached copies and safe to read from any thread.
 */
public final class ProducerEntry {
    /** Batches remembered per producer: the Java producer allows at most 5 in-flight requests with idempotence. */
    public static final int MAX_BATCHES = 5;

    private static final long NO_OFFSET = -1L;

    /** Sequence range and final position of one appended batch. */
    public record BatchMetadata(int firstSeq, int lastSeq, long firstOffset, int lastOffsetDelta, long timestamp) {
        public long lastOffset() {
            return firstOffset + lastOffsetDelta;
        }
    }

    private final long producerId;
    private final ArrayDeque<BatchMetadata> batches;
    private short epoch;
    private int coordinatorEpoch;
    private long currentTxnFirstOffset;
    private long lastTimestamp;
    /** The client address that opened the current epoch in this partition; null if unknown (recovered, broker's). */
    private InetAddress epochWriter;

    ProducerEntry(
            long producerId,
            short epoch,
            int coordinatorEpoch,
            long currentTxnFirstOffset,
            long lastTimestamp,
            List<BatchMetadata> batches) {
        this.producerId = producerId;
        this.epoch = epoch;
        this.coordinatorEpoch = coordinatorEpoch;
        this.currentTxnFirstOffset = currentTxnFirstOffset;
        this.lastTimestamp = lastTimestamp;
        this.batches = new ArrayDeque<>(batches);
    }

    static ProducerEntry empty(long producerId) {
        return new ProducerEntry(
                producerId, RecordBatch.NO_PRODUCER_EPOCH, -1, NO_OFFSET, RecordBatch.NO_TIMESTAMP, List.of());
    }

    public long producerId() {
        return producerId;
    }

    public short epoch() {
        return epoch;
    }

    public int coordinatorEpoch() {
        return coordinatorEpoch;
    }

    /** Offset of the first batch of the producer's open transaction, empty when no transaction is open. */
    public OptionalLong currentTxnFirstOffset() {
        return currentTxnFirstOffset == NO_OFFSET ? OptionalLong.empty() : OptionalLong.of(currentTxnFirstOffset);
    }

    /** The client address that wrote the first batch of the current epoch here, or null when not known. */
    public InetAddress epochWriter() {
        return epochWriter;
    }

    /** Max timestamp of the producer's last batch or marker; drives producer-id expiration. */
    public long lastTimestamp() {
        return lastTimestamp;
    }

    /** The remembered batches, oldest first. */
    public List<BatchMetadata> batches() {
        return Collections.unmodifiableList(new ArrayList<>(batches));
    }

    /** Last sequence written at the current epoch, or {@link RecordBatch#NO_SEQUENCE} if none is remembered. */
    public int lastSeq() {
        return batches.isEmpty() ? RecordBatch.NO_SEQUENCE : batches.peekLast().lastSeq();
    }

    Optional<BatchMetadata> findBatch(int firstSeq, int lastSeq) {
        for (BatchMetadata batch : batches) {
            if (batch.firstSeq() == firstSeq && batch.lastSeq() == lastSeq) {
                return Optional.of(batch);
            }
        }
        return Optional.empty();
    }

    boolean isEmpty() {
        return batches.isEmpty();
    }

    /** Moves to {@code newEpoch}; sequences restart with a new epoch, so the batches of the old one are forgotten. */
    void updateEpoch(short newEpoch) {
        if (newEpoch != epoch) {
            epoch = newEpoch;
            batches.clear();
            epochWriter = null;
        }
    }

    /** Remembers {@code writer} as the client of the current epoch unless one is already known. */
    void bindEpochWriter(InetAddress writer) {
        if (epochWriter == null) {
            epochWriter = writer;
        }
    }

    void addBatch(BatchMetadata batch) {
        if (batches.size() == MAX_BATCHES) {
            batches.removeFirst();
        }
        batches.addLast(batch);
        lastTimestamp = batch.timestamp();
    }

    void beginTxn(long firstOffset) {
        currentTxnFirstOffset = firstOffset;
    }

    void endTxn(int markerCoordinatorEpoch, long markerTimestamp) {
        currentTxnFirstOffset = NO_OFFSET;
        coordinatorEpoch = markerCoordinatorEpoch;
        lastTimestamp = markerTimestamp;
    }

    /** Forgets batches whose last offset is at or after {@code offset}; returns true if any batch remains. */
    boolean truncateFrom(long offset) {
        while (!batches.isEmpty() && batches.peekLast().lastOffset() >= offset) {
            batches.removeLast();
        }
        if (currentTxnFirstOffset >= offset) {
            currentTxnFirstOffset = NO_OFFSET;
        }
        return !batches.isEmpty();
    }

    ProducerEntry copy() {
        ProducerEntry copy = new ProducerEntry(
                producerId, epoch, coordinatorEpoch, currentTxnFirstOffset, lastTimestamp, new ArrayList<>(batches));
        copy.epochWriter = epochWriter;
        return copy;
    }

    @Override
    public String toString() {
        return "ProducerEntry(producerId=" + producerId + ", epoch=" + epoch + ", coordinatorEpoch=" + coordinatorEpoch
                + ", currentTxnFirstOffset=" + currentTxnFirstOffset + ", batches=" + batches + ")";
    }
}
