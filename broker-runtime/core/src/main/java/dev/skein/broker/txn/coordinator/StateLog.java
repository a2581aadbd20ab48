package dev.skein.broker.txn.coordinator;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Where the transaction coordinator writes and reads back its records: the partitions of {@code __transaction_state}. */
interface StateLog {
    /**
     * Appends {@code records} as one batch to {@code partition} with acks=all. The future completes once the batch is
     * committed and fails with the append's {@code ApiException} otherwise. Never blocks.
     */
    CompletableFuture<Void> append(int partition, List<SimpleRecord> records);

    /** Feeds every record of {@code partition} up to its log end, in offset order, to {@code sink}. */
    void replay(int partition, Consumer<Record> sink);

    /** The leader epoch of {@code partition} if this broker leads it (the coordinator epoch), else -1. */
    int leaderEpoch(int partition);
}
