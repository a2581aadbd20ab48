package dev.skein.broker.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The admin lane's scheduling, with handlers that block on latches (no broker): requests abandoned by their
 * connections run one at a time on the orphan thread and cannot hold the lane threads that answer open connections;
 * a handler that throws answers its request with an error instead of leaving it unanswered.
 */
class AdminLaneTest {
    private static final AbstractResponse ANSWER = new ApiVersionsResponse(new ApiVersionsResponseData());

    private final AdminLane lane = AdminLane.start(2, "test-admin");

    @AfterEach
    void close() throws InterruptedException {
        lane.close();
    }

    @Test
    void abandonedRequestsCannotDelayOpenConnections() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch lanesBusy = new CountDownLatch(2);
        ApiHandler gated = (context, request) -> {
            lanesBusy.countDown();
            await(gate);
            return CompletableFuture.completedFuture(ANSWER);
        };
        // both lane threads busy, so everything below queues behind them
        List<CompletableFuture<AbstractResponse>> first = List.of(
                lane.always(gated).handle(null, null), lane.always(gated).handle(null, null));
        assertThat(lanesBusy.await(10, TimeUnit.SECONDS)).isTrue();

        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger orphansStarted = new AtomicInteger();
        ApiHandler stuck = (context, request) -> {
            orphansStarted.incrementAndGet();
            await(release);
            return CompletableFuture.completedFuture(ANSWER);
        };
        List<CompletableFuture<AbstractResponse>> abandoned = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            CompletableFuture<AbstractResponse> response = lane.always(stuck).handle(null, null);
            response.cancel(false); // what the dispatcher does when the request's connection closes
            abandoned.add(response);
        }
        CompletableFuture<AbstractResponse> open = lane.always(
                        (context, request) -> CompletableFuture.completedFuture(ANSWER))
                .handle(null, null);
        gate.countDown();

        assertThat(open.get(10, TimeUnit.SECONDS)).isSameAs(ANSWER);
        for (CompletableFuture<AbstractResponse> f : first) {
            assertThat(f.get(10, TimeUnit.SECONDS)).isSameAs(ANSWER);
        }
        assertThat(orphansStarted.get())
                .as("abandoned requests run one at a time, on the orphan thread")
                .isLessThanOrEqualTo(1);
        release.countDown();
        assertThat(abandoned).allMatch(CompletableFuture::isCancelled);
    }

    @Test
    void aThrowingHandlerFailsItsRequestAndTheLaneGoesOn() throws Exception {
        CompletableFuture<AbstractResponse> failed = lane.always((context, request) -> {
                    throw new StackOverflowError("deep request");
                })
                .handle(null, null);
        assertThat(failed)
                .failsWithin(10, TimeUnit.SECONDS)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(StackOverflowError.class);
        for (int i = 0; i < 3; i++) {
            assertThat(lane.always((context, request) -> CompletableFuture.completedFuture(ANSWER))
                            .handle(null, null)
                            .get(10, TimeUnit.SECONDS))
                    .isSameAs(ANSWER);
        }
    }

    @Test
    void requestsTheLaneNeedNotServeRunInline() {
        Thread caller = Thread.currentThread();
        AtomicInteger onCaller = new AtomicInteger();
        ApiHandler handler = lane.when(request -> false, (context, request) -> {
            if (Thread.currentThread() == caller) {
                onCaller.incrementAndGet();
            }
            return CompletableFuture.completedFuture(ANSWER);
        });
        assertThat(handler.handle(null, null)).isCompletedWithValue(ANSWER);
        assertThat(onCaller).hasValue(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
