package dev.skein.broker.protocol;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Serves one Kafka API. Returns the response future (completed now, or later for delayed produce/fetch), or null
 * when the request gets no response at all (produce with acks=0). Errors a client should see are put into the
 * response as Kafka error codes; an exception thrown here becomes the request's generic error response.
 *
 * <p><b>Threads:</b> {@link #handle} runs on a request thread, which serves every connection of the broker, so it
 * must never block on ZooKeeper or wait for metadata to change: it answers from the metadata cache, or hands work
 * that writes to (or reads from) ZooKeeper to the admin executor ({@link OffloadedApi}) and returns a future that
 * completes there. A wait for metadata to catch up is a future too ({@code MetadataView#whenMetadata}), never a
 * blocked thread. Network threads never call handlers.
 */
@FunctionalInterface
interface ApiHandler {
    CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request);
}
