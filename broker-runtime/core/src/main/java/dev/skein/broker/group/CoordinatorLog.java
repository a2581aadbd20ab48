package dev.skein.broker.group;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Where the coordinator writes and reads back its records: the partitions of {@code __consumer_offsets}. */
interface CoordinatorLog {
    /**
     * Appends {@code records} as one batch to partition {@code partition} with acks=all. The future completes once
     * the batch is committed (below the high watermark) and fails with the append's {@code ApiException} otherwise.
     */
    CompletableFuture<Void> append(int partition, List<SimpleRecord> records);

    /**
     * Feeds every record of {@code partition} up to its log end, in offset order, to {@code sink} (a new leader's log
     * is the truth even above its high watermark, which may still lag what the previous leader acknowledged).
     */
    void replay(int partition, Consumer<Record> sink);
}
