package dev.skein.broker.protocol;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Runs a handler that may block on ZooKeeper on the admin executor instead of the calling request thread (the rule in
 * {@link ApiHandler}). The request thread gets a future at once; the handler's own future completes it. Requests the
 * predicate clears (e.g. a Metadata request for topics that exist) are served inline, as before.
 */
final class OffloadedApi implements ApiHandler {
    private final ApiHandler handler;
    private final Executor admin;
    private final Predicate<AbstractRequest> mayBlock;

    private OffloadedApi(ApiHandler handler, Executor admin, Predicate<AbstractRequest> mayBlock) {
        this.handler = handler;
        this.admin = admin;
        this.mayBlock = mayBlock;
    }

    /** Every request of this handler runs on {@code admin}. */
    static ApiHandler always(ApiHandler handler, Executor admin) {
        return new OffloadedApi(handler, admin, request -> true);
    }

    /** Requests matching {@code mayBlock} run on {@code admin}, the others inline. */
    static ApiHandler when(Predicate<AbstractRequest> mayBlock, ApiHandler handler, Executor admin) {
        return new OffloadedApi(handler, admin, mayBlock);
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        if (!mayBlock.test(request)) {
            return handler.handle(context, request);
        }
        // An exception from the handler fails the future, which the dispatcher turns into the generic error response,
        // as it does for one thrown inline.
        return CompletableFuture.supplyAsync(() -> handler.handle(context, request), admin)
                .thenCompose(response -> response);
    }
}
