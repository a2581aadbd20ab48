package dev.skein.broker.txn;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * PLACEHOLDER until the transaction coordinator (issue 18, branch t18c) is merged: the production wiring's
 * {@link TransactionVerifier}, which knows no transaction and so answers every verification with
 * INVALID_PRODUCER_ID_MAPPING, Kafka's answer when its coordinator does not know the producer's transaction. The lead
 * replaces this class by the coordinator's verifier in {@code Broker} at merge time and deletes it.
 */
public final class NoCoordinatorTransactionVerifier implements TransactionVerifier {
    @Override
    public CompletableFuture<Errors> verify(
            String transactionalId, long producerId, short producerEpoch, TopicPartition partition, boolean add) {
        return CompletableFuture.completedFuture(Errors.INVALID_PRODUCER_ID_MAPPING);
    }
}
