package dev.skein.broker.network;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Accounts for the request bytes in flight on one listener ({@code queued.max.request.bytes}): bytes read from
 * sockets into frame buffers and held until the request's outcome is delivered. A connection reserves before it
 * allocates; when a reservation fails it is muted and registered as a waiter, and every release wakes the network
 * threads (through the listeners given to {@link #onRelease}) so waiters retry. The heap used for request bytes thus
 * stays within the capacity, with one exception that keeps the pool from deadlocking:
 *
 * <p>Frame buffers grow as bytes arrive (a client announcing 100 MiB and sending nothing holds nothing), so several
 * half-received frames could each hold part of the pool and all wait for more. When every reserved byte is held by
 * waiting connections — nothing in flight will ever release memory — one waiter is granted its reservation anyway.
 * The grantee is no longer a waiter, so no second overdraft is granted until it completes: the overshoot is at most
 * one frame ({@code socket.request.max.bytes}).
 *
 * <p>Thread-safe: network threads reserve and release concurrently.
 */
public final class RequestMemoryPool {
    private final long capacity;
    private final Object lock = new Object();
    private final CopyOnWriteArrayList<Runnable> releaseListeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger waiters = new AtomicInteger();
    private long used;
    private long heldByWaiters;

    public RequestMemoryPool(long capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Runs {@code listener} (which must not block) after a release while connections wait for memory. */
    void onRelease(Runnable listener) {
        releaseListeners.add(listener);
    }

    public long capacity() {
        return capacity;
    }

    /** Bytes currently reserved (may exceed the capacity by one deadlock-breaking grant). */
    public long used() {
        synchronized (lock) {
            return used;
        }
    }

    /** Connections muted because a reservation failed. */
    public int waiters() {
        return waiters.get();
    }

    /**
     * Reserves {@code bytes} for a connection that already holds {@code held} bytes.
     *
     * @return true if reserved; false if the caller must mute itself and wait, already counted as a waiter (it
     *     stays one until a later call succeeds or it calls {@link #stopWaiting})
     */
    boolean tryReserve(long bytes, long held, boolean alreadyWaiting) {
        synchronized (lock) {
            if (alreadyWaiting) {
                heldByWaiters -= held;
            }
            boolean deadlocked = used > 0 && heldByWaiters + held >= used;
            if (used + bytes <= capacity || deadlocked) {
                used += bytes;
                if (alreadyWaiting) {
                    waiters.decrementAndGet();
                }
                return true;
            }
            heldByWaiters += held;
            if (!alreadyWaiting) {
                waiters.incrementAndGet();
            }
            return false;
        }
    }

    /** A waiting connection that holds {@code held} bytes gives up (it closes). */
    void stopWaiting(long held) {
        synchronized (lock) {
            heldByWaiters -= held;
            waiters.decrementAndGet();
        }
    }

    /** Returns {@code bytes} to the pool and wakes waiters, if any. */
    void release(long bytes) {
        if (bytes == 0) {
            return;
        }
        synchronized (lock) {
            used -= bytes;
        }
        if (waiters.get() > 0) {
            releaseListeners.forEach(Runnable::run);
        }
    }
}
