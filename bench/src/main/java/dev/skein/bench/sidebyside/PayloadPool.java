package dev.skein.bench.sidebyside;

import java.util.Random;

/**
 * The record values of every workload, OpenMessaging-Benchmark style: a pool of {@code count} payloads of
 * {@code size} bytes whose first half is random bytes and second half zeros, so that lz4 finds roughly 2 : 1 and
 * no two neighbouring records are identical. Deterministic for a seed; the arrays are shared and must not be
 * modified by callers.
 */
final class PayloadPool {
    private final byte[][] payloads;

    private PayloadPool(byte[][] payloads) {
        this.payloads = payloads;
    }

    static PayloadPool create(int count, int size, long seed) {
        if (count <= 0 || size <= 0) {
            throw new IllegalArgumentException("count and size must be positive, got " + count + " and " + size);
        }
        Random random = new Random(seed);
        byte[][] payloads = new byte[count][];
        for (int i = 0; i < count; i++) {
            byte[] payload = new byte[size];
            byte[] randomHalf = new byte[size / 2];
            random.nextBytes(randomHalf);
            System.arraycopy(randomHalf, 0, payload, 0, randomHalf.length);
            payloads[i] = payload;
        }
        return new PayloadPool(payloads);
    }

    /** The payload for the {@code n}-th record: the pool is cycled through in order. */
    byte[] get(long n) {
        return payloads[(int) (n % payloads.length)];
    }

    int size() {
        return payloads.length;
    }

    int payloadBytes() {
        return payloads[0].length;
    }
}
