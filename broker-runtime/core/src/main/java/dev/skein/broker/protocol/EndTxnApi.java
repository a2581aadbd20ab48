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
 * Versions 0-4, the semantics of {@code transaction.version} 1 (no epoch bump at the end); v5 (KIP-890 part 2) is not
 * advertised.
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
                        .setErrorCode(ProducerFencedCompat.forVersion(
                                        error, context.apiVersion(), ProducerFencedCompat.END_TXN)
                                .code())));
    }
}
