package dev.skein.broker.log;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * The log cleaner's map from record key to the offset of the key's latest record in the dirty section of a log.
 *
 * <p>Keys are compared by content and copied on first insertion (the caller's buffer may be reused). Memory is
 * bounded softly: {@link #full} says when the estimated footprint passed {@code maxBytes}, and the cleaner then stops
 * mapping at the next segment boundary. Confined to the cleaner thread.
 */
final class OffsetMap {
    /** Rough per-entry overhead of a HashMap node, a boxed Long and a heap ByteBuffer. */
    private static final int ENTRY_OVERHEAD_BYTES = 112;

    private final long maxBytes;
    private final Map<ByteBuffer, Long> latest = new HashMap<>();
    private long estimatedBytes;

    OffsetMap(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** Records {@code offset} as the latest of {@code key}; offsets must be put in increasing order per key. */
    void put(ByteBuffer key, long offset) {
        if (latest.replace(key, offset) == null) {
            ByteBuffer copy = ByteBuffer.allocate(key.remaining());
            copy.put(key.duplicate()).flip();
            latest.put(copy, offset);
            estimatedBytes += copy.capacity() + ENTRY_OVERHEAD_BYTES;
        }
    }

    /** The latest offset of {@code key}, or -1 when the key does not occur in the mapped section. */
    long latestOffset(ByteBuffer key) {
        Long offset = latest.get(key);
        return offset == null ? -1L : offset;
    }

    boolean full() {
        return estimatedBytes >= maxBytes;
    }

    int size() {
        return latest.size();
    }
}
