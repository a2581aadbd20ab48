package dev.skein.broker.log;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * The leader epochs of one partition log and the offset at which each began: the history that lets a follower find
 * where its log diverged from the leader's (OffsetForLeaderEpoch).
 *
 * <p>Persisted by {@link BrokerStateStore} as a flat {@code long[]} of {@code (epoch, startOffset)} pairs, in
 * increasing order of both. Entries are immutable snapshots swapped atomically, so readers on any thread see a
 * consistent history; mutations come from the partition's single writer.
 */
final class LeaderEpochCache {
    private volatile List<EpochEntry> entries;

    record EpochEntry(int epoch, long startOffset) {}

    private LeaderEpochCache(List<EpochEntry> entries) {
        this.entries = entries;
    }

    static LeaderEpochCache empty() {
        return new LeaderEpochCache(List.of());
    }

    static LeaderEpochCache fromPairs(long[] pairs) {
        List<EpochEntry> list = new ArrayList<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            list.add(new EpochEntry((int) pairs[i], pairs[i + 1]));
        }
        return new LeaderEpochCache(List.copyOf(list));
    }

    long[] toPairs() {
        List<EpochEntry> current = entries;
        long[] pairs = new long[current.size() * 2];
        for (int i = 0; i < current.size(); i++) {
            pairs[2 * i] = current.get(i).epoch();
            pairs[2 * i + 1] = current.get(i).startOffset();
        }
        return pairs;
    }

    List<EpochEntry> entries() {
        return entries;
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset}, as Kafka's {@code LeaderEpochFileCache.assign}: nothing
     * changes when the latest entry is this epoch starting at or before that offset (returns false); otherwise the
     * new entry wins over every entry it contradicts (an epoch not older, or a start not earlier), which a cache that
     * is staler than the log (restored after a crash) can hold.
     */
    boolean assign(int epoch, long startOffset) {
        if (epoch < 0) {
            return false;
        }
        List<EpochEntry> current = entries;
        if (!current.isEmpty()) {
            EpochEntry last = current.get(current.size() - 1);
            if (epoch == last.epoch() && startOffset >= last.startOffset()) {
                return false;
            }
        }
        List<EpochEntry> next = new ArrayList<>();
        for (EpochEntry e : current) {
            if (e.epoch() < epoch && e.startOffset() < startOffset) {
                next.add(e);
            }
        }
        next.add(new EpochEntry(epoch, startOffset));
        entries = List.copyOf(next);
        return true;
    }

    OptionalInt latestEpoch() {
        List<EpochEntry> current = entries;
        return current.isEmpty()
                ? OptionalInt.empty()
                : OptionalInt.of(current.get(current.size() - 1).epoch());
    }

    /**
     * The largest known epoch <= {@code epoch} and its end offset: the start offset of the next epoch, or
     * {@code logEndOffset} for the latest. {@code (-1, -1)} when no such epoch is known.
     */
    PartitionLog.EpochEndOffset endOffsetFor(int epoch, long logEndOffset) {
        List<EpochEntry> current = entries;
        for (int i = current.size() - 1; i >= 0; i--) {
            EpochEntry e = current.get(i);
            if (e.epoch() <= epoch) {
                long end = i == current.size() - 1
                        ? logEndOffset
                        : current.get(i + 1).startOffset();
                return new PartitionLog.EpochEndOffset(e.epoch(), end);
            }
        }
        return new PartitionLog.EpochEndOffset(-1, -1L);
    }

    /** Epoch in force at {@code offset}, or -1. */
    int epochForOffset(long offset) {
        List<EpochEntry> current = entries;
        for (int i = current.size() - 1; i >= 0; i--) {
            if (current.get(i).startOffset() <= offset) {
                return current.get(i).epoch();
            }
        }
        return -1;
    }

    /** After the log was truncated to {@code endOffset}: forgets epochs that start at or after it. */
    void truncateFromEnd(long endOffset) {
        List<EpochEntry> next = new ArrayList<>();
        for (EpochEntry e : entries) {
            if (e.startOffset() < endOffset) {
                next.add(e);
            }
        }
        entries = List.copyOf(next);
    }

    /** After the log start advanced to {@code startOffset}: the epoch in force there now starts there. */
    void truncateFromStart(long startOffset) {
        List<EpochEntry> current = entries;
        List<EpochEntry> next = new ArrayList<>();
        for (int i = 0; i < current.size(); i++) {
            EpochEntry e = current.get(i);
            boolean superseded = i + 1 < current.size() && current.get(i + 1).startOffset() <= startOffset;
            if (superseded) {
                continue;
            }
            next.add(e.startOffset() < startOffset ? new EpochEntry(e.epoch(), startOffset) : e);
        }
        entries = List.copyOf(next);
    }
}
