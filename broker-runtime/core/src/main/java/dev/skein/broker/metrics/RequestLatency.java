package dev.skein.broker.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * Request count and latency histogram of one API key, with fixed bucket bounds ({@link #boundMillis(int)}) so that recording
 * is a bucket search and two adds — no allocation, no lock. Buckets are not cumulative; bucket
 * {@link #bounds()} counts the requests slower than the last bound.
 *
 * <p>Threads: any thread may record and read; a read during recording may see the count and the sum of different
 * moments, as with any scrape of live counters.
 */
public final class RequestLatency {
    /** Upper bounds (inclusive) of the latency buckets, in milliseconds. */
    private static final double[] BOUNDS_MS = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};

    private static final long[] BOUNDS_NANOS = new long[BOUNDS_MS.length];

    static {
        for (int i = 0; i < BOUNDS_MS.length; i++) {
            BOUNDS_NANOS[i] = (long) (BOUNDS_MS[i] * 1_000_000L);
        }
    }

    private final LongAdder[] buckets = new LongAdder[BOUNDS_MS.length + 1];
    private final LongAdder count = new LongAdder();
    private final LongAdder totalNanos = new LongAdder();

    RequestLatency() {
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    void record(long nanos) {
        long latency = Math.max(0, nanos);
        int bucket = 0;
        while (bucket < BOUNDS_NANOS.length && latency > BOUNDS_NANOS[bucket]) {
            bucket++;
        }
        buckets[bucket].increment();
        count.increment();
        totalNanos.add(latency);
    }

    /** Number of finite bucket bounds. */
    public static int bounds() {
        return BOUNDS_MS.length;
    }

    /** The inclusive upper bound of bucket {@code index}, in milliseconds. */
    public static double boundMillis(int index) {
        return BOUNDS_MS[index];
    }

    public long count() {
        return count.sum();
    }

    public double totalMillis() {
        return totalNanos.sum() / 1_000_000.0;
    }

    /** Requests in bucket {@code index} (0 .. {@link #bounds()}), not cumulative. */
    public long bucketCount(int index) {
        return buckets[index].sum();
    }
}
