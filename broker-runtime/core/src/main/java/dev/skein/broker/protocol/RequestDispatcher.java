package dev.skein.broker.protocol;

import dev.skein.broker.metrics.BrokerMetrics;
import dev.skein.broker.network.RequestChannel;
import dev.skein.broker.network.RequestHandler;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes a request frame with kafka-clients' message classes, routes it to its {@link ApiHandler} and encodes the
 * response (file-backed fetch records go out zero-copy through {@code AbstractResponse.toSend}). A frame that cannot
 * be parsed — unknown API key, version outside the jar's range, truncated body — closes the connection with the
 * reason logged; a handler failure becomes the request's error response (UNKNOWN_SERVER_ERROR). Every answered
 * request is counted in {@link BrokerMetrics} with its time from decoding to the response being handed to the
 * connection.
 */
public final class RequestDispatcher implements RequestHandler {
    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);

    private final SupportedApis apis;
    private final BrokerMetrics metrics;

    RequestDispatcher(SupportedApis apis, BrokerMetrics metrics) {
        this.apis = apis;
        this.metrics = metrics;
    }

    @Override
    public void handle(ByteBuffer frame, RequestChannel channel) {
        long startNanos = metrics.nanoTime();
        RequestHeader header;
        try {
            header = RequestHeader.parse(frame);
        } catch (RuntimeException e) {
            channel.close("malformed request header: " + e.getMessage());
            return;
        }
        ApiKeys key = header.apiKey();
        short version = header.apiVersion();
        if (key == ApiKeys.API_VERSIONS && !key.isVersionSupported(version)) {
            // KIP-511: answer a too-new ApiVersions in the v0 format so the client can retry with a known version.
            channel.send(
                    apis.apiVersionsResponse(Errors.UNSUPPORTED_VERSION).toSend(header.toResponseHeader(), (short) 0));
            return;
        }
        if (!apis.supports(key, version)) {
            channel.close("unsupported request " + key + " v" + version + " from client '" + header.clientId() + "'");
            return;
        }
        AbstractRequest request;
        try {
            request = AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(frame)).request;
        } catch (RuntimeException e) {
            channel.close("malformed " + key + " v" + version + " request: " + e.getMessage());
            return;
        }
        RequestContext context = new RequestContext(header, channel.connectionId(), channel.clientAddress());
        CompletableFuture<AbstractResponse> response;
        try {
            response = key == ApiKeys.API_VERSIONS
                    ? CompletableFuture.completedFuture(apiVersions((ApiVersionsRequest) request))
                    : apis.handler(key).handle(context, request);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        if (response == null) {
            channel.noResponse();
            metrics.recordRequest(key, startNanos);
            return;
        }
        if (!response.isDone()) {
            // A parked request (long-poll fetch) must not outlive its connection.
            CompletableFuture<AbstractResponse> pending = response;
            channel.whenClosed(() -> pending.cancel(false));
        }
        response.whenComplete((r, error) -> {
            if (error instanceof CancellationException) {
                return; // its connection closed: nobody to answer
            }
            respond(channel, header, request, r, error);
            metrics.recordRequest(key, startNanos);
        });
    }

    private static void respond(
            RequestChannel channel,
            RequestHeader header,
            AbstractRequest request,
            AbstractResponse response,
            Throwable error) {
        ApiKeys key = header.apiKey();
        short version = header.apiVersion();
        // Building the error response can fail too (kafka-clients' ProduceRequest.getErrorResponse throws on a
        // partition with null records): whatever fails here closes the connection, never leaves it waiting.
        try {
            AbstractResponse toSend = response;
            if (error != null) {
                Throwable cause =
                        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                log.error("{} v{} from client '{}' failed", key, version, header.clientId(), cause);
                toSend = request.getErrorResponse(cause);
            }
            channel.send(toSend.toSend(header.toResponseHeader(), version));
        } catch (Throwable e) { // NOSONAR: runs on whatever thread completed the future; even an Error must not
            // leave this connection muted forever waiting for an outcome that will never come
            log.error("Cannot encode the {} v{} response for client '{}'", key, version, header.clientId(), e);
            channel.close("internal error encoding a " + key + " v" + version + " response: " + e);
        }
    }

    private AbstractResponse apiVersions(ApiVersionsRequest request) {
        if (!request.isValid()) {
            return request.getErrorResponse(Errors.INVALID_REQUEST.exception());
        }
        return apis.apiVersionsResponse(Errors.NONE);
    }
}
