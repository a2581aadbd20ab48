package dev.skein.broker.protocol;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Where admin requests run: the handlers that write to ZooKeeper or wait for the metadata to change (the rule in
 * {@link ApiHandler}). The request thread only hands the request over and returns a future; the handler runs here.
 *
 * <p><b>Order and fairness.</b> A connection sends no further request until its previous one is answered (it stays
 * muted), so one connection has at most one request here, and its requests run one at a time, in order. The
 * {@code threads} lane threads serve the requests of open connections in arrival order; a flood of admin requests on
 * one connection therefore holds at most one lane thread at a time.
 *
 * <p><b>Orphans.</b> A request whose connection closed before it started (the dispatcher cancels its future then)
 * still runs, as in Kafka a request read is a request performed, but on one separate orphan thread, one at a time.
 * So clients that send an admin request and hang up without waiting, again and again, occupy one thread, never the
 * lane threads that answer open connections. Orphans wait in an unbounded queue, as requests wait for a request thread.
 *
 * <p>{@link #close} stops both (interrupting what runs: the handlers fail their request); a request handed over after
 * that fails at once.
 */
public final class AdminLane implements AutoCloseable {
    private final ExecutorService lane;
    private final ExecutorService orphans;

    private AdminLane(ExecutorService lane, ExecutorService orphans) {
        this.lane = lane;
        this.orphans = orphans;
    }

    /**
     * Starts {@code threads} lane threads (at least one) and the orphan thread, all daemons named
     * {@code <namePrefix>-N} and {@code <namePrefix>-orphans}.
     */
    public static AdminLane start(int threads, String namePrefix) {
        AtomicInteger number = new AtomicInteger();
        ThreadFactory laneThreads = r -> daemon(r, namePrefix + "-" + number.getAndIncrement());
        return new AdminLane(
                Executors.newFixedThreadPool(Math.max(1, threads), laneThreads),
                Executors.newSingleThreadExecutor(r -> daemon(r, namePrefix + "-orphans")));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** {@code handler} with every request served on this lane. */
    ApiHandler always(ApiHandler handler) {
        return when(request -> true, handler);
    }

    /** {@code handler} with the requests {@code mayWrite} accepts served on this lane, the others inline. */
    ApiHandler when(Predicate<AbstractRequest> mayWrite, ApiHandler handler) {
        return (context, request) ->
                mayWrite.test(request) ? submit(handler, context, request) : handler.handle(context, request);
    }

    /** Where continuations of admin work run (never the metadata event thread, never a request thread). */
    Executor executor() {
        return lane;
    }

    private CompletableFuture<AbstractResponse> submit(
            ApiHandler handler, RequestContext context, AbstractRequest request) {
        CompletableFuture<AbstractResponse> response = new CompletableFuture<>();
        try {
            lane.execute(() -> {
                if (response.isCancelled()) {
                    runAsOrphan(() -> serve(handler, context, request, response));
                } else {
                    serve(handler, context, request, response);
                }
            });
        } catch (RejectedExecutionException e) {
            response.completeExceptionally(e);
        }
        return response;
    }

    private void runAsOrphan(Runnable work) {
        try {
            orphans.execute(work);
        } catch (RejectedExecutionException e) {
            // closing: the broker stops, and nobody waits for this request's answer
        }
    }

    /**
     * Runs the handler and passes its outcome on; whatever it throws becomes the request's error response, as on a
     * request thread, and never ends the lane thread.
     */
    private static void serve(
            ApiHandler handler,
            RequestContext context,
            AbstractRequest request,
            CompletableFuture<AbstractResponse> response) {
        try {
            handler.handle(context, request).whenComplete((r, error) -> {
                if (error != null) {
                    response.completeExceptionally(error);
                } else {
                    response.complete(r);
                }
            });
        } catch (Throwable e) { // NOSONAR: even an Error must answer the request, or its connection stays muted
            response.completeExceptionally(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        lane.shutdownNow();
        orphans.shutdownNow();
        lane.awaitTermination(10, TimeUnit.SECONDS);
        orphans.awaitTermination(10, TimeUnit.SECONDS);
    }
}
