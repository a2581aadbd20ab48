package dev.skein.broker.protocol;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Serves one Kafka API. Returns the response future (completed now, or later for delayed produce/fetch), or null
 * when the request gets no response at all (produce with acks=0). Errors a client should see are put into the
 * response as Kafka error codes; an exception thrown here becomes the request's generic error response.
 *
 * <p><b>Threads:</b> {@link #handle} is called on a request thread, which serves every connection of the broker, so
 * it must never block on ZooKeeper nor wait for the metadata to change. It answers from the metadata cache, or it is
 * registered (in {@link KafkaApis}) to run on the {@link AdminLane} when it writes to ZooKeeper: CreateTopics,
 * DeleteTopics, CreatePartitions, (Incremental)AlterConfigs, ElectLeaders, partition reassignments, and Metadata or
 * FindCoordinator when they would create a topic. A wait for the metadata to catch up is a future
 * ({@code MetadataView#whenMetadata}), or a bounded wait on the admin lane, never on a request thread. Network threads
 * never call handlers.
 */
@FunctionalInterface
interface ApiHandler {
    CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request);
}
