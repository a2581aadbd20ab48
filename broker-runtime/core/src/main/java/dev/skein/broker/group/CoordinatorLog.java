package dev.skein.broker.group;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Where the coordinator writes and reads back its records: the partitions of {@code __consumer_offsets}. */
interface CoordinatorLog {
    /**
     * Appends {@code records} as one batch to partition {@code partition} with acks=all. The future completes once
     * the batch is committed (below the high watermark) and fails with the append's {@code ApiException} otherwise.
     */
    CompletableFuture<Void> append(int partition, List<SimpleRecord> records);

    /**
     * Like {@link #append}, as one transactional batch of producer {@code producerId} at {@code producerEpoch}
     * (transactional attribute set, no sequence): the records take effect only when that producer's COMMIT marker
     * follows them in the partition, and never after an ABORT marker. The append fails like a produce of that producer
     * would, e.g. with INVALID_PRODUCER_EPOCH once a newer epoch wrote to the partition.
     */
    CompletableFuture<Void> appendTransactional(
            int partition, long producerId, short producerEpoch, List<SimpleRecord> records);

    /**
     * Feeds every record of {@code partition} up to its log end, in offset order, to {@code sink}, and every
     * transaction marker (control batch) at its place between them (a new leader's log is the truth even above its
     * high watermark, which may still lag what the previous leader acknowledged).
     */
    void replay(int partition, ReplaySink sink);

    /** What a replay reports, in log order. */
    interface ReplaySink {
        /**
         * A data record.
         *
         * @param transactionalProducerId the producer id of its batch if that batch is transactional, else
         *     {@link RecordBatch#NO_PRODUCER_ID}
         */
        void record(Record record, long transactionalProducerId);

        /** A COMMIT ({@code commit}) or ABORT marker of {@code producerId}'s transaction at log offset {@code offset}. */
        void marker(long offset, long producerId, boolean commit);
    }
}
