package dev.skein.broker.protocol;

import dev.skein.broker.cluster.ProducerIdBlocks;
import dev.skein.broker.txn.coordinator.TransactionCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;

/**
 * InitProducerId. Without a transactional id (the Java client's idempotent default): a fresh cluster-unique producer
 * id at epoch 0. With one: the transaction coordinator's answer (epoch bump and fencing, KIP-360 recovery with the
 * producer id and epoch of v3+, INVALID_TRANSACTION_TIMEOUT above {@code transaction.max.timeout.ms}); the response
 * waits for the coordinator's write to {@code __transaction_state}, not the request thread.
 */
final class InitProducerIdApi implements ApiHandler {
    private final ProducerIdBlocks producerIds;
    private final TransactionCoordinator transactions;

    InitProducerIdApi(ProducerIdBlocks producerIds, TransactionCoordinator transactions) {
        this.producerIds = producerIds;
        this.transactions = transactions;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        InitProducerIdRequest init = (InitProducerIdRequest) request;
        if (init.data().transactionalId() != null) {
            return transactions
                    .initProducerId(
                            init.data().transactionalId(),
                            init.data().transactionTimeoutMs(),
                            init.data().producerId(),
                            init.data().producerEpoch())
                    .thenApply(result -> new InitProducerIdResponse(new InitProducerIdResponseData()
                            .setErrorCode(ProducerFencedCompat.forVersion(
                                            result.error(), context.apiVersion(), ProducerFencedCompat.INIT_PRODUCER_ID)
                                    .code())
                            .setProducerId(result.producerId())
                            .setProducerEpoch(result.producerEpoch())));
        }
        InitProducerIdResponseData response = new InitProducerIdResponseData()
                .setErrorCode(Errors.NONE.code())
                .setProducerId(producerIds.nextProducerId())
                .setProducerEpoch((short) 0);
        return CompletableFuture.completedFuture(new InitProducerIdResponse(response));
    }
}
