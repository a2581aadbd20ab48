package dev.skein.broker.log;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Group commit: one background thread fsyncs partition logs on behalf of everyone waiting for durability.
 *
 * <p>{@link #await} registers a waiter and returns at once. The flusher thread takes every waiter registered so far,
 * flushes each partition that has waiters once (covering the whole log end at that moment), and completes every waiter
 * whose offset is now durable ({@link PartitionLog#flushForDurability}: an {@code fdatasync} of the active segment's
 * records, indexes only for segments that rolled since). Waiters that arrive during an fsync are served together
 * by the next one, so N concurrent producers cost one fsync per round, not N.
 *
 * <p>The partitions of one round are flushed in parallel by up to {@link #SYNC_THREADS} threads: an {@code fdatasync}
 * mostly waits for the device, and the file system can merge concurrent ones into one journal commit, so a round over
 * 16 partitions costs little more than one over a single partition. A round ends when all its partitions are done.
 *
 * <p>Threading: {@link #await} from any thread; one daemon coordinator thread takes rounds, daemon sync threads do
 * the IO. {@link #close} serves the waiters already registered, then stops the threads; later {@link #await} calls
 * fail.
 */
final class GroupCommitFlusher implements AutoCloseable {
    /** Threads that sync the partitions of one round concurrently. */
    static final int SYNC_THREADS = 4;

    private final Object lock = new Object();
    private final Thread thread;
    private final ExecutorService syncPool;
    private Map<PartitionLog, List<Waiter>> waiters = new LinkedHashMap<>();
    private boolean closed;

    private record Waiter(long offset, CompletableFuture<Void> future) {}

    private GroupCommitFlusher(String threadName) {
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
        AtomicInteger syncThreads = new AtomicInteger();
        this.syncPool = Executors.newFixedThreadPool(SYNC_THREADS, r -> {
            Thread t = new Thread(r, threadName + "-sync-" + syncThreads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts the flusher thread. */
    static GroupCommitFlusher start(String threadName) {
        GroupCommitFlusher flusher = new GroupCommitFlusher(threadName);
        flusher.thread.start();
        return flusher;
    }

    /** Completes once an fsync of {@code log} covers {@code offset}. */
    CompletableFuture<Void> await(PartitionLog log, long offset) {
        if (log.durableOffset() > offset) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> future = new CompletableFuture<>();
        synchronized (lock) {
            if (closed) {
                future.completeExceptionally(new IllegalStateException("Log flusher is closed"));
                return future;
            }
            waiters.computeIfAbsent(log, l -> new ArrayList<>()).add(new Waiter(offset, future));
            lock.notifyAll();
        }
        return future;
    }

    private void run() {
        while (true) {
            Map<PartitionLog, List<Waiter>> round;
            synchronized (lock) {
                while (waiters.isEmpty() && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        failAll(waiters, e);
                        return;
                    }
                }
                if (waiters.isEmpty()) {
                    return;
                }
                round = waiters;
                waiters = new LinkedHashMap<>();
            }
            serveRound(round);
        }
    }

    private void serveRound(Map<PartitionLog, List<Waiter>> round) {
        if (round.size() == 1) {
            round.forEach(GroupCommitFlusher::serve);
            return;
        }
        List<CompletableFuture<Void>> syncs = new ArrayList<>(round.size());
        round.forEach((log, list) -> syncs.add(CompletableFuture.runAsync(() -> serve(log, list), syncPool)));
        // serve never throws: it completes its waiters either way, so joining only waits for the round to end
        CompletableFuture.allOf(syncs.toArray(CompletableFuture[]::new)).join();
    }

    private static void serve(PartitionLog log, List<Waiter> list) {
        try {
            log.flushForDurability();
        } catch (RuntimeException e) {
            list.forEach(w -> w.future().completeExceptionally(e));
            return;
        }
        long durable = log.durableOffset();
        for (Waiter w : list) {
            if (w.offset() < durable) {
                w.future().complete(null);
            } else {
                w.future()
                        .completeExceptionally(new IllegalStateException(
                                "Offset " + w.offset() + " is beyond the log end " + durable + " of " + log));
            }
        }
    }

    private static void failAll(Map<PartitionLog, List<Waiter>> pending, Exception cause) {
        pending.values().forEach(list -> list.forEach(w -> w.future().completeExceptionally(cause)));
        pending.clear();
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            syncPool.shutdown();
        }
    }
}
