package dev.skein.broker.protocol;

import dev.skein.broker.txn.coordinator.TransactionCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.EndTxnResponse;

/**
 * EndTxn: the coordinator writes PrepareCommit or PrepareAbort and answers once that is committed; the markers follow.
 * Versions 0-4 are the flow of {@code transaction.version} 0/1 (the epoch stays); version 5+ is a
 * {@code transaction.version} 2 client (KIP-890 part 2): the epoch is bumped at every end, and the answer carries the
 * producer id and epoch the client continues with (a new producer id at epoch 0 when the epoch overflowed).
 */
final class EndTxnApi implements ApiHandler {
    /** EndTxn v5: the first version of {@code transaction.version} 2 (Kafka's {@code transactionVersionForEndTxn}). */
    static final short FIRST_EPOCH_BUMPING_VERSION = 5;

    private final TransactionCoordinator transactions;

    EndTxnApi(TransactionCoordinator transactions) {
        this.transactions = transactions;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        EndTxnRequestData data = ((EndTxnRequest) request).data();
        if (context.apiVersion() >= FIRST_EPOCH_BUMPING_VERSION) {
            return transactions
                    .endTransactionV2(data.transactionalId(), data.producerId(), data.producerEpoch(), data.committed())
                    .thenApply(result -> new EndTxnResponse(new EndTxnResponseData()
                            .setErrorCode(result.error().code())
                            .setProducerId(result.producerId())
                            .setProducerEpoch(result.producerEpoch())));
        }
        return transactions
                .endTransaction(data.transactionalId(), data.producerId(), data.producerEpoch(), data.committed())
                .thenApply(error -> new EndTxnResponse(new EndTxnResponseData()
                        .setErrorCode(ProducerFencedCompat.forVersion(
                                        error, context.apiVersion(), ProducerFencedCompat.END_TXN)
                                .code())));
    }
}
