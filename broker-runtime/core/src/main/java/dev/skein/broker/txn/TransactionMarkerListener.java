package dev.skein.broker.txn;

import org.apache.kafka.common.TopicPartition;

/**
 * Told by a partition's leader when a transaction marker it appended (WriteTxnMarkers) is committed, that is below
 * the high watermark. The group coordinator listens for the partitions of {@code __consumer_offsets}: a COMMIT makes
 * the producer's pending transactional offset commits visible, an ABORT drops them (KIP-98, KIP-447).
 *
 * <p>Called on the thread that completes the marker's replication; implementations must not block.
 */
@FunctionalInterface
public interface TransactionMarkerListener {
    TransactionMarkerListener NONE = (partition, producerId, producerEpoch, commit) -> {};

    void onMarkerCommitted(TopicPartition partition, long producerId, short producerEpoch, boolean commit);
}
