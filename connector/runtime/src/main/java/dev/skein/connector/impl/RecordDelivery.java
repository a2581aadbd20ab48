package dev.skein.connector.impl;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * The single-subscriber {@link Flow.Publisher} side of one consumer: messages polled by the consumer thread wait
 * here until downstream requests them. All state is confined to one delivery thread ({@code executor}); every public
 * method only enqueues a task, so downstream may block in {@code onNext} without stalling the consumer's heartbeat.
 *
 * <p>Key ordering: when enabled, a message whose ordering key has an emitted-but-unfinished predecessor waits until
 * {@link #finished(Object)} is called for that key. Messages with a {@code null} key never wait.
 *
 * <p>The counters read by the consumer thread ({@link #undelivered()}, {@link #demand()}) drive pausing; the buffer
 * itself is bounded by the consumer's pause threshold, not here.
 */
final class RecordDelivery implements Flow.Publisher<Message<?>>, Flow.Subscription {
    private final Executor executor;
    private final boolean keyOrdered;
    private final AtomicInteger undelivered = new AtomicInteger();
    private final AtomicLong demand = new AtomicLong();

    private final ArrayDeque<Pending> ready = new ArrayDeque<>();
    private final Map<Object, ArrayDeque<Pending>> waitingByKey = new HashMap<>();
    private final Set<Object> busyKeys = new HashSet<>();
    private Flow.Subscriber<? super Message<?>> subscriber;
    private boolean done;

    RecordDelivery(Executor executor, boolean keyOrdered) {
        this.executor = executor;
        this.keyOrdered = keyOrdered;
    }

    private record Pending(Message<?> message, Object key) {}

    @Override
    public void subscribe(Flow.Subscriber<? super Message<?>> candidate) {
        post(() -> {
            if (subscriber != null) {
                candidate.onSubscribe(new Flow.Subscription() {
                    @Override
                    public void request(long n) {}

                    @Override
                    public void cancel() {}
                });
                candidate.onError(new IllegalStateException("A skein channel accepts a single subscriber"));
                return;
            }
            subscriber = candidate;
            candidate.onSubscribe(this);
        });
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            post(() -> fail(new IllegalArgumentException("request must be positive (rule 3.9): " + n)));
            return;
        }
        demand.accumulateAndGet(n, (current, added) -> current + added < 0 ? Long.MAX_VALUE : current + added);
        post(this::drain);
    }

    @Override
    public void cancel() {
        post(() -> {
            done = true;
            ready.clear();
            waitingByKey.clear();
        });
    }

    /** Hands a polled message over; {@code key} is its ordering key (ignored unless key-ordered). */
    void offer(Message<?> message, Object key) {
        undelivered.incrementAndGet();
        post(() -> {
            Pending pending = new Pending(message, keyOrdered ? key : null);
            if (pending.key != null && busyKeys.contains(pending.key)) {
                waitingByKey
                        .computeIfAbsent(pending.key, k -> new ArrayDeque<>())
                        .add(pending);
            } else {
                if (pending.key != null) {
                    busyKeys.add(pending.key);
                }
                ready.add(pending);
            }
            drain();
        });
    }

    /** The message emitted with ordering key {@code key} was acked or nacked: its successor may go. */
    void finished(Object key) {
        if (!keyOrdered || key == null) {
            return;
        }
        post(() -> {
            ArrayDeque<Pending> waiting = waitingByKey.get(key);
            if (waiting == null) {
                busyKeys.remove(key);
                return;
            }
            ready.add(waiting.poll());
            if (waiting.isEmpty()) {
                waitingByKey.remove(key);
            }
            drain();
        });
    }

    /** Terminates the stream with {@code error} after the messages already emitted. */
    void fail(Throwable error) {
        post(() -> {
            if (!done && subscriber != null) {
                done = true;
                subscriber.onError(error);
            }
        });
    }

    /** Messages handed over and not yet emitted downstream. */
    int undelivered() {
        return undelivered.get();
    }

    /** Outstanding downstream requests. */
    long demand() {
        return demand.get();
    }

    private void post(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // the channel was closed: late requests, cancellations and acks have nothing left to act on
        }
    }

    private void drain() {
        while (!done && subscriber != null && !ready.isEmpty() && demand.get() > 0) {
            Pending next = ready.poll();
            demand.decrementAndGet();
            undelivered.decrementAndGet();
            subscriber.onNext(next.message);
        }
    }
}
