package dev.skein.broker.group;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * A {@link CoordinatorLog} in memory, one partition: appended batches and transaction markers in order, replayed with
 * offsets counted from 0. Appends are committed at once unless {@link #holdAppends} makes them wait for
 * {@link #release} or {@link #fail}.
 */
final class MemoryCoordinatorLog implements CoordinatorLog {
    /** A data batch (with the producer id of a transactional one) or a marker ({@code commit} non-null). */
    record Entry(List<SimpleRecord> records, long producerId, short producerEpoch, Boolean commit) {}

    final List<Entry> entries = new ArrayList<>();
    private final List<CompletableFuture<Void>> held = new ArrayList<>();
    private boolean hold;

    @Override
    public synchronized CompletableFuture<Void> append(int partition, List<SimpleRecord> records) {
        entries.add(new Entry(List.copyOf(records), RecordBatch.NO_PRODUCER_ID, RecordBatch.NO_PRODUCER_EPOCH, null));
        return outcome();
    }

    @Override
    public synchronized CompletableFuture<Void> appendTransactional(
            int partition, long producerId, short producerEpoch, List<SimpleRecord> records) {
        entries.add(new Entry(List.copyOf(records), producerId, producerEpoch, null));
        return outcome();
    }

    private CompletableFuture<Void> outcome() {
        if (!hold) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        held.add(future);
        return future;
    }

    /** Writes a transaction marker, as a partition leader does for WriteTxnMarkers. */
    synchronized void marker(long producerId, boolean commit) {
        entries.add(new Entry(List.of(), producerId, (short) 0, commit));
    }

    /** Later appends stay uncommitted until {@link #release} or {@link #fail}. */
    synchronized void holdAppends() {
        hold = true;
    }

    synchronized void release() {
        hold = false;
        held.forEach(f -> f.complete(null));
        held.clear();
    }

    synchronized void fail(RuntimeException error) {
        hold = false;
        held.forEach(f -> f.completeExceptionally(error));
        held.clear();
    }

    @Override
    public synchronized void replay(int partition, ReplaySink sink) {
        long offset = 0;
        for (Entry entry : entries) {
            if (entry.commit() != null) {
                sink.marker(offset++, entry.producerId(), entry.commit());
                continue;
            }
            MemoryRecords.withRecords(offset, Compression.NONE, entry.records().toArray(SimpleRecord[]::new))
                    .records()
                    .forEach(r -> sink.record(r, entry.producerId()));
            offset += entry.records().size();
        }
    }
}
