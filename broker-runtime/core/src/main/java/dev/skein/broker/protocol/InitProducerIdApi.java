package dev.skein.broker.protocol;

import dev.skein.broker.cluster.ProducerIdBlocks;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;

/**
 * InitProducerId for idempotent producers (the Java client's default): a fresh cluster-unique producer id at epoch
 * 0. A transactional id needs the transaction coordinator, which this broker does not run yet; such requests get
 * COORDINATOR_NOT_AVAILABLE so the client reports it instead of misbehaving.
 */
final class InitProducerIdApi implements ApiHandler {
    private final ProducerIdBlocks producerIds;

    InitProducerIdApi(ProducerIdBlocks producerIds) {
        this.producerIds = producerIds;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        InitProducerIdRequest init = (InitProducerIdRequest) request;
        InitProducerIdResponseData response = new InitProducerIdResponseData();
        if (init.data().transactionalId() != null) {
            response.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                    .setProducerId(-1)
                    .setProducerEpoch((short) -1);
        } else {
            response.setErrorCode(Errors.NONE.code())
                    .setProducerId(producerIds.nextProducerId())
                    .setProducerEpoch((short) 0);
        }
        return CompletableFuture.completedFuture(new InitProducerIdResponse(response));
    }
}
