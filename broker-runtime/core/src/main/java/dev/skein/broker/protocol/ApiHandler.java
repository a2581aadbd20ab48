package dev.skein.broker.protocol;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Serves one Kafka API. Returns the response future (completed now, or later for delayed produce/fetch), or null
 * when the request gets no response at all (produce with acks=0). Errors a client should see are put into the
 * response as Kafka error codes; an exception thrown here becomes the request's generic error response.
 */
@FunctionalInterface
interface ApiHandler {
    CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request);
}
