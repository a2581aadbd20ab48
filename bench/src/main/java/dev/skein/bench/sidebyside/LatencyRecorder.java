package dev.skein.bench.sidebyside;

import java.util.Arrays;

/**
 * Every recorded latency kept in a growable {@code long[]}, so percentiles are exact (nearest-rank): at the 50k
 * records/s of the latency workload, a minute is 24 MiB. Not thread-safe: one thread records, and
 * {@link #percentile} is called after recording ended.
 */
final class LatencyRecorder {
    private long[] values;
    private int count;
    private boolean sorted;

    LatencyRecorder(int initialCapacity) {
        this.values = new long[Math.max(16, initialCapacity)];
    }

    void record(long value) {
        if (count == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
        values[count++] = value;
        sorted = false;
    }

    int count() {
        return count;
    }

    /**
     * The smallest recorded value such that at least {@code quantile} of all values are less than or equal to it
     * (nearest rank); {@code quantile} 1.0 is the maximum.
     *
     * @throws IllegalStateException if nothing was recorded
     */
    long percentile(double quantile) {
        if (quantile <= 0 || quantile > 1) {
            throw new IllegalArgumentException("quantile must be in (0, 1], got " + quantile);
        }
        if (count == 0) {
            throw new IllegalStateException("No latency was recorded");
        }
        if (!sorted) {
            Arrays.sort(values, 0, count);
            sorted = true;
        }
        int rank = (int) Math.ceil(quantile * count);
        return values[Math.max(0, rank - 1)];
    }

    long max() {
        return percentile(1.0);
    }
}
