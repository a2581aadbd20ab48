package dev.skein.broker.txn;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The partition leader's question to the transaction coordinator before it appends a transactional batch (KIP-890):
 * is {@code partition} part of the ongoing transaction of {@code transactionalId} at this producer id and epoch?
 *
 * <p>With {@code add == false} (KIP-890 part 1, produce requests up to version 11) the coordinator only checks: the
 * client must have added the partition through AddPartitionsToTxn first. With {@code add == true} (KIP-890 part 2,
 * produce version 12 and later, {@code transaction.version} 2) the coordinator adds the partition itself, as the client
 * no longer sends AddPartitionsToTxn for data partitions.
 *
 * <p>The future completes with {@link Errors#NONE} when the batch may be appended, else with the error the produce
 * answers for that partition (for example INVALID_PRODUCER_ID_MAPPING, INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE,
 * CONCURRENT_TRANSACTIONS, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE). It never completes exceptionally and never
 * blocks the calling thread: the coordinator may be another broker.
 */
@FunctionalInterface
public interface TransactionVerifier {
    CompletableFuture<Errors> verify(
            String transactionalId, long producerId, short producerEpoch, TopicPartition partition, boolean add);
}
