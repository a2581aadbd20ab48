package dev.skein.broker.group;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * The transactional offset commits of one group that wait for their transaction's end (KIP-98): per producer id, the
 * offsets it committed in its open transaction, each with the log position of the record that holds it. A COMMIT
 * marker turns them into committed offsets ({@link ClassicGroup#materialize}: a later position wins, so a plain commit
 * written after the transactional one is kept), an ABORT drops them. While a partition has a pending offset here,
 * OffsetFetch with {@code require_stable} answers UNSTABLE_OFFSET_COMMIT for it.
 *
 * <p>Threading: guarded by the owning group's monitor, like the rest of {@link ClassicGroup}.
 */
final class PendingTxnOffsets {
    /** An offset committed in a transaction, written at {@code position} of the group's offsets log. */
    record Pending(CommittedOffset offset, long position) {}

    private final Map<Long, Map<TopicPartition, Pending>> byProducer = new HashMap<>();

    /** Records an offset of {@code producerId}'s transaction; a later one for the same partition replaces it. */
    void add(long producerId, TopicPartition tp, CommittedOffset offset, long position) {
        byProducer.computeIfAbsent(producerId, id -> new HashMap<>()).put(tp, new Pending(offset, position));
    }

    /** Forgets the offset written at {@code position} (its append failed), unless a later one replaced it. */
    void removeIfAt(long producerId, TopicPartition tp, long position) {
        Map<TopicPartition, Pending> offsets = byProducer.get(producerId);
        if (offsets == null) {
            return;
        }
        Pending pending = offsets.get(tp);
        if (pending != null && pending.position() == position) {
            offsets.remove(tp);
        }
        if (offsets.isEmpty()) {
            byProducer.remove(producerId);
        }
    }

    /** Removes and returns the pending offsets of {@code producerId} (empty if none): its transaction ended. */
    Map<TopicPartition, Pending> end(long producerId) {
        Map<TopicPartition, Pending> offsets = byProducer.remove(producerId);
        return offsets == null ? Map.of() : offsets;
    }

    /** Whether some open transaction holds an offset for {@code tp}. */
    boolean holds(TopicPartition tp) {
        for (Map<TopicPartition, Pending> offsets : byProducer.values()) {
            if (offsets.containsKey(tp)) {
                return true;
            }
        }
        return false;
    }

    /** Drops every pending offset of {@code tp}: the offset was deleted after they were written. */
    void removePartition(TopicPartition tp) {
        Iterator<Map<TopicPartition, Pending>> it = byProducer.values().iterator();
        while (it.hasNext()) {
            Map<TopicPartition, Pending> offsets = it.next();
            offsets.remove(tp);
            if (offsets.isEmpty()) {
                it.remove();
            }
        }
    }

    Set<Long> producers() {
        return byProducer.keySet();
    }

    boolean isEmpty() {
        return byProducer.isEmpty();
    }

    void clear() {
        byProducer.clear();
    }
}
