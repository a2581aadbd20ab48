package dev.skein.connector.commit;

import java.util.Arrays;

/**
 * The records of one partition that were handed downstream and not yet committed, in the order they were polled.
 * Processing may complete out of order; the committable position only moves past a contiguous run of completed
 * records, so a commit never skips a record still being processed (at-least-once).
 *
 * <p>Confined to the consumer's polling thread. Memory is bounded by the consumer's pause threshold.
 */
public final class PartitionProgress {
    private long[] offsets = new long[64];
    private long[] receivedAt = new long[64];
    private boolean[] done = new boolean[64];
    private int head;
    private int size;
    private long committable = -1;
    private long committed = -1;

    /** Records that {@code offset} was handed downstream at {@code nowMs}; offsets must increase. */
    public void received(long offset, long nowMs) {
        if (size == offsets.length) {
            grow();
        }
        int slot = (head + size) % offsets.length;
        offsets[slot] = offset;
        receivedAt[slot] = nowMs;
        done[slot] = false;
        size++;
    }

    /** Marks {@code offset} processed; unknown offsets (e.g. from before a rebalance) are ignored. */
    public void completed(long offset) {
        int index = indexOf(offset);
        if (index < 0) {
            return;
        }
        done[(head + index) % offsets.length] = true;
        while (size > 0 && done[head]) {
            committable = offsets[head] + 1;
            head = (head + 1) % offsets.length;
            size--;
        }
    }

    /** Next offset to commit (one past the last contiguously completed record), or -1 if nothing completed yet. */
    public long committable() {
        return committable;
    }

    /** Whether {@link #committable()} moved past the last position handed to {@link #markCommitted(long)}. */
    public boolean hasUncommitted() {
        return committable > committed;
    }

    public void markCommitted(long position) {
        committed = Math.max(committed, position);
    }

    /** A commit of {@code position} failed: forget it so the next commit retries. */
    public void commitFailed(long position) {
        if (committed == position) {
            committed = -1;
        }
    }

    /** Records handed downstream and not completed. */
    public int outstanding() {
        int count = 0;
        for (int i = 0; i < size; i++) {
            if (!done[(head + i) % offsets.length]) {
                count++;
            }
        }
        return count;
    }

    /** When the oldest still-outstanding record was received, or -1 if none is outstanding. */
    public long oldestOutstandingSince() {
        return size == 0 ? -1 : receivedAt[head];
    }

    private int indexOf(long offset) {
        int low = 0;
        int high = size - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long value = offsets[(head + mid) % offsets.length];
            if (value < offset) {
                low = mid + 1;
            } else if (value > offset) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    private void grow() {
        int capacity = offsets.length * 2;
        long[] newOffsets = new long[capacity];
        long[] newReceivedAt = new long[capacity];
        boolean[] newDone = new boolean[capacity];
        for (int i = 0; i < size; i++) {
            int slot = (head + i) % offsets.length;
            newOffsets[i] = offsets[slot];
            newReceivedAt[i] = receivedAt[slot];
            newDone[i] = done[slot];
        }
        offsets = newOffsets;
        receivedAt = newReceivedAt;
        done = newDone;
        head = 0;
    }

    @Override
    public String toString() {
        return "PartitionProgress{committable=" + committable + ", committed=" + committed + ", pending="
                + Arrays.toString(Arrays.copyOf(offsets, Math.min(size, 8))) + "}";
    }
}
