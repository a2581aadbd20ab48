package dev.skein.broker.txn.coordinator;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Sends a request to another broker (or to this one) of the cluster without blocking the caller. The future completes
 * with the response, or exceptionally when the broker is unknown or unreachable or the connection fails; the caller
 * decides whether to retry.
 */
@FunctionalInterface
public interface BrokerClient {
    CompletableFuture<AbstractResponse> send(int brokerId, AbstractRequest.Builder<?> request);
}
