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
 * Every version is served with the version-1 semantics of {@code transaction.version} 1 (no epoch bump at the end):
 * the producer id and epoch of the response (v5+) are the request's, unchanged.
 */
final class EndTxnApi implements ApiHandler {
    private final TransactionCoordinator transactions;

    EndTxnApi(TransactionCoordinator transactions) {
        this.transactions = transactions;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        EndTxnRequestData data = ((EndTxnRequest) request).data();
        return transactions
                .endTransaction(data.transactionalId(), data.producerId(), data.producerEpoch(), data.committed())
                .thenApply(error -> new EndTxnResponse(new EndTxnResponseData()
                        .setErrorCode(error.code())
                        .setProducerId(data.producerId())
                        .setProducerEpoch(data.producerEpoch())));
    }
}
