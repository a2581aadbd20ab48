package dev.skein.broker.log;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.message.FetchResponseData;

/**
 * The aborted transactions of one partition in marker order (ascending {@link AbortedTxn#lastOffset}): what a
 * {@code read_committed} fetch returns as {@code abortedTransactions} so that the consumer drops their records.
 *
 * <p>Threading: mutated by the log's single writer (under the log's monitor); read by fetches without a lock through
 * a volatile array that every mutation replaces (aborts are rare, reads frequent).
 */
final class AbortedTxnIndex {
    private static final AbortedTxn[] EMPTY = new AbortedTxn[0];

    private volatile AbortedTxn[] entries = EMPTY;

    /** Appends an entry; its marker must lie after every entry's marker. */
    void add(AbortedTxn txn) {
        AbortedTxn[] current = entries;
        if (current.length > 0 && current[current.length - 1].lastOffset() >= txn.lastOffset()) {
            throw new IllegalArgumentException(
                    "Aborted transaction " + txn + " does not follow " + current[current.length - 1]);
        }
        AbortedTxn[] next = Arrays.copyOf(current, current.length + 1);
        next[current.length] = txn;
        entries = next;
    }

    /** Forgets the transactions whose marker is at or after {@code offset} (the log was truncated there). */
    void truncateFrom(long offset) {
        AbortedTxn[] current = entries;
        int keep = firstWithLastOffsetAtLeast(current, offset);
        if (keep < current.length) {
            entries = Arrays.copyOf(current, keep);
        }
    }

    /** Forgets the transactions whose marker is below {@code logStartOffset} (their records are gone). */
    void removeBelow(long logStartOffset) {
        AbortedTxn[] current = entries;
        int from = firstWithLastOffsetAtLeast(current, logStartOffset);
        if (from > 0) {
            entries = Arrays.copyOfRange(current, from, current.length);
        }
    }

    /** Forgets the entries whose marker is at one of {@code markerOffsets}. */
    void removeMarkers(Set<Long> markerOffsets) {
        List<AbortedTxn> kept = new ArrayList<>();
        for (AbortedTxn txn : entries) {
            if (!markerOffsets.contains(txn.lastOffset())) {
                kept.add(txn);
            }
        }
        entries = kept.toArray(EMPTY);
    }

    /** Every entry, in marker order. */
    List<AbortedTxn> all() {
        return List.of(entries);
    }

    /**
     * The aborted transactions with records in {@code [from, to)}: marker at or after {@code from} and first offset
     * below {@code to} (Kafka's {@code collectAbortedTransactions}). Allocates only when there are any.
     */
    List<FetchResponseData.AbortedTransaction> collect(long from, long to) {
        AbortedTxn[] current = entries;
        List<FetchResponseData.AbortedTransaction> out = null;
        for (int i = firstWithLastOffsetAtLeast(current, from); i < current.length; i++) {
            AbortedTxn txn = current[i];
            if (txn.firstOffset() < to) {
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(new FetchResponseData.AbortedTransaction()
                        .setProducerId(txn.producerId())
                        .setFirstOffset(txn.firstOffset()));
            }
            if (txn.lastStableOffset() >= to) {
                break;
            }
        }
        return out == null ? List.of() : out;
    }

    private static int firstWithLastOffsetAtLeast(AbortedTxn[] entries, long offset) {
        int lo = 0;
        int hi = entries.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (entries[mid].lastOffset() < offset) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
