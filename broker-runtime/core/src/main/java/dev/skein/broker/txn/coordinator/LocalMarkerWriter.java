package dev.skein.broker.txn.coordinator;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;

/**
 * The partition-leader side of WriteTxnMarkers on this broker, for its own transaction coordinator to call directly
 * instead of sending a request to its own listener. Same contract as the request: appends each marker to each partition
 * this broker leads and completes with every partition's error once the markers are replicated (or refused).
 *
 * <p>Appends on the calling thread and returns without waiting for replication; the future completes on whichever
 * thread sees the high watermark cover the last marker (the caller's, when no follower has to catch up). Lock order:
 * the caller may hold a transactional id's monitor (the coordinator does) but no partition or group lock, since
 * appending takes partition locks and a committed marker calls into the group coordinator.
 */
@FunctionalInterface
public interface LocalMarkerWriter {
    CompletableFuture<WriteTxnMarkersResponse> write(WriteTxnMarkersRequestData markers);
}
