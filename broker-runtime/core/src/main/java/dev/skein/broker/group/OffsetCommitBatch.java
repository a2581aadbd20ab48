package dev.skein.broker.group;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;

/**
 * The offsets of one OffsetCommit or TxnOffsetCommit, split into those refused up front (metadata over
 * {@code offset.metadata.max.bytes}: OFFSET_METADATA_TOO_LARGE, in {@link #result}) and the valid ones, stamped with
 * the commit time, with the {@code __consumer_offsets} records that store them. Not thread-safe: used under the group
 * lock.
 *
 * @param result the error per partition so far, in request order; {@link #complete} adds the valid partitions
 * @param valid the stamped offsets to write, in request order
 * @param records one offset commit record per valid offset, in the same order
 */
record OffsetCommitBatch(
        Map<TopicPartition, Errors> result, Map<TopicPartition, CommittedOffset> valid, List<SimpleRecord> records) {

    /**
     * Splits {@code offsets} of group {@code groupId} by {@code config}'s metadata limit, stamping the valid ones with
     * the current time of {@code time}; if {@code rejection} is not NONE (the request failed validation) every partition
     * is answered with it instead.
     */
    static OffsetCommitBatch of(
            String groupId,
            Map<TopicPartition, CommittedOffset> offsets,
            Errors rejection,
            GroupConfig config,
            Time time) {
        OffsetCommitBatch batch =
                new OffsetCommitBatch(new LinkedHashMap<>(), new LinkedHashMap<>(), new ArrayList<>());
        if (rejection != Errors.NONE) {
            offsets.keySet().forEach(tp -> batch.result.put(tp, rejection));
            return batch;
        }
        long now = time.milliseconds();
        for (Map.Entry<TopicPartition, CommittedOffset> e : offsets.entrySet()) {
            CommittedOffset o = e.getValue();
            if (o.metadata().length() > config.offsetMetadataMaxBytes()) {
                batch.result.put(e.getKey(), Errors.OFFSET_METADATA_TOO_LARGE);
            } else {
                CommittedOffset stamped = new CommittedOffset(o.offset(), o.leaderEpoch(), o.metadata(), now);
                batch.valid.put(e.getKey(), stamped);
                batch.records.add(GroupRecords.offsetCommit(groupId, e.getKey(), stamped));
            }
        }
        return batch;
    }

    /** Whether no offset is left to write (every partition already has its error in {@link #result}). */
    boolean isEmpty() {
        return records.isEmpty();
    }

    /** Answers every valid partition with {@code outcome}; returns the whole result. */
    Map<TopicPartition, Errors> complete(Errors outcome) {
        for (TopicPartition tp : valid.keySet()) {
            result.put(tp, outcome);
        }
        return result;
    }

    /** An already completed answer of {@code error} for each of {@code partitions}, in their order. */
    static CompletableFuture<Map<TopicPartition, Errors>> allWith(Set<TopicPartition> partitions, Errors error) {
        Map<TopicPartition, Errors> result = new LinkedHashMap<>();
        partitions.forEach(tp -> result.put(tp, error));
        return CompletableFuture.completedFuture(result);
    }
}
