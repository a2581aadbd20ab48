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
 * a volatile view (array and size) that every mutation replaces; appends are amortized constant time.
 */
final class AbortedTxnIndex {
    private static final AbortedTxn[] EMPTY = new AbortedTxn[0];

    /**
     * The published entries: {@code array[0, size)}. An append writes the slot after {@code size} (or a grown copy)
     * and then publishes a new view, so readers of an older view never see a slot change under them; removals always
     * publish a fresh array.
     */
    private record View(AbortedTxn[] array, int size) {}

    private volatile View view = new View(EMPTY, 0);

    /** Appends an entry (amortized constant time); its marker must lie after every entry's marker. */
    void add(AbortedTxn txn) {
        View current = view;
        int size = current.size();
        if (size > 0 && current.array()[size - 1].lastOffset() >= txn.lastOffset()) {
            throw new IllegalArgumentException(
                    "Aborted transaction " + txn + " does not follow " + current.array()[size - 1]);
        }
        AbortedTxn[] array = current.array();
        if (size == array.length) {
            array = Arrays.copyOf(array, Math.max(8, size * 2));
        }
        array[size] = txn;
        view = new View(array, size + 1);
    }

    /** Forgets the transactions whose marker is at or after {@code offset} (the log was truncated there). */
    void truncateFrom(long offset) {
        View current = view;
        int keep = firstWithLastOffsetAtLeast(current, offset);
        if (keep < current.size()) {
            view = new View(Arrays.copyOf(current.array(), keep), keep);
        }
    }

    /** Forgets the transactions whose marker is below {@code logStartOffset} (their records are gone). */
    void removeBelow(long logStartOffset) {
        View current = view;
        int from = firstWithLastOffsetAtLeast(current, logStartOffset);
        if (from > 0) {
            view = new View(Arrays.copyOfRange(current.array(), from, current.size()), current.size() - from);
        }
    }

    /** Forgets the entries whose marker is at one of {@code markerOffsets}. */
    void removeMarkers(Set<Long> markerOffsets) {
        View current = view;
        List<AbortedTxn> kept = new ArrayList<>();
        for (int i = 0; i < current.size(); i++) {
            if (!markerOffsets.contains(current.array()[i].lastOffset())) {
                kept.add(current.array()[i]);
            }
        }
        view = new View(kept.toArray(EMPTY), kept.size());
    }

    /** Every entry, in marker order. */
    List<AbortedTxn> all() {
        View current = view;
        return List.of(Arrays.copyOf(current.array(), current.size()));
    }

    /**
     * The aborted transactions with records in {@code [from, to)}: marker at or after {@code from} and first offset
     * below {@code to}, stopping at the first entry whose last stable offset reaches {@code to} (Kafka's
     * {@code collectAbortedTransactions}). Allocates only when there are any.
     */
    List<FetchResponseData.AbortedTransaction> collect(long from, long to) {
        View current = view;
        AbortedTxn[] array = current.array();
        List<FetchResponseData.AbortedTransaction> out = null;
        for (int i = firstWithLastOffsetAtLeast(current, from); i < current.size(); i++) {
            AbortedTxn txn = array[i];
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

    private static int firstWithLastOffsetAtLeast(View view, long offset) {
        AbortedTxn[] entries = view.array();
        int lo = 0;
        int hi = view.size();
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
