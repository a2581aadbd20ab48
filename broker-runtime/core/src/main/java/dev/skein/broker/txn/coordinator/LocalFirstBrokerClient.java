package dev.skein.broker.txn.coordinator;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;

/**
 * A {@link BrokerClient} that delivers WriteTxnMarkers addressed to this broker by a direct call to its
 * {@link LocalMarkerWriter}: no socket, no trip through its own listener, request queue and request threads. Everything
 * else, and those markers too until {@link #install} is called, goes through the network client.
 *
 * <p>The local markers are appended on the caller's thread before {@link #send} returns (their replication wait does
 * not hold it), so that a single broker has written them by the time the coordinator answers EndTxn. Callers follow
 * {@link LocalMarkerWriter}'s rule: they may hold a transactional id's monitor, never a partition's or a group's lock.
 * A writer that throws fails the returned future; the caller retries.
 */
final class LocalFirstBrokerClient implements BrokerClient {
    private final int localBrokerId;
    private final BrokerClient network;
    private volatile LocalMarkerWriter local;

    LocalFirstBrokerClient(int localBrokerId, BrokerClient network) {
        this.localBrokerId = localBrokerId;
        this.network = network;
    }

    /** From now on, markers for this broker's partitions go to {@code writer}. */
    void install(LocalMarkerWriter writer) {
        local = writer;
    }

    @Override
    public CompletableFuture<AbstractResponse> send(int brokerId, AbstractRequest.Builder<?> request) {
        LocalMarkerWriter writer = local;
        if (brokerId != localBrokerId
                || writer == null
                || !(request instanceof WriteTxnMarkersRequest.Builder markers)) {
            return network.send(brokerId, request);
        }
        CompletableFuture<AbstractResponse> result = new CompletableFuture<>();
        try {
            writer.write(markers.build(ApiKeys.WRITE_TXN_MARKERS.latestVersion())
                            .data())
                    .whenComplete((response, failure) -> {
                        if (failure != null) {
                            result.completeExceptionally(failure);
                        } else {
                            result.complete(response);
                        }
                    });
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
        }
        return result;
    }
}
