package dev.skein.broker.it;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Mutations of a serialized request (header and body, no size prefix): byte flips, truncation, a length or count
 * field set to an extreme (0, -1, 2^31-1, 2^15-1, found by looking for int16/int32/varint values that look like
 * lengths), junk appended, the valid header with a garbage body, and header fields (API key/version) changed. About
 * one input in seven stays valid. The size prefix the fuzzer adds always matches the bytes sent, so the broker never
 * legitimately waits for more.
 */
final class FrameMutator {
    private FrameMutator() {}

    /** A mutated frame and the name of the mutation (for findings). */
    record Mutated(String mutation, byte[] bytes) {}

    static Mutated mutate(FuzzCorpus.Frame frame, Random r) {
        byte[] bytes = frame.bytes();
        return switch (r.nextInt(7)) {
            case 0 -> new Mutated("valid", bytes);
            case 1 -> new Mutated("byte-flips", flips(bytes, r));
            case 2 -> new Mutated("truncated", Arrays.copyOf(bytes, r.nextInt(Math.max(1, bytes.length))));
            case 3 -> extremeLength(frame, r);
            case 4 -> new Mutated("junk-appended", appendJunk(bytes, r));
            case 5 -> new Mutated("garbage-body", garbageBody(frame, r));
            default -> new Mutated("header-fields", headerFields(bytes, r));
        };
    }

    private static byte[] flips(byte[] bytes, Random r) {
        byte[] copy = bytes.clone();
        int flips = 1 + r.nextInt(8);
        for (int i = 0; i < flips; i++) {
            int at = r.nextInt(copy.length);
            copy[at] ^= (byte) (1 + r.nextInt(255));
        }
        return copy;
    }

    private static byte[] appendJunk(byte[] bytes, Random r) {
        byte[] junk = new byte[1 + r.nextInt(64)];
        r.nextBytes(junk);
        byte[] copy = Arrays.copyOf(bytes, bytes.length + junk.length);
        System.arraycopy(junk, 0, copy, bytes.length, junk.length);
        return copy;
    }

    private static byte[] garbageBody(FuzzCorpus.Frame frame, Random r) {
        byte[] body = new byte[r.nextInt(256)];
        r.nextBytes(body);
        byte[] copy = Arrays.copyOf(frame.bytes(), frame.headerSize() + body.length);
        System.arraycopy(body, 0, copy, frame.headerSize(), body.length);
        return copy;
    }

    private static byte[] headerFields(byte[] bytes, Random r) {
        byte[] copy = bytes.clone();
        ByteBuffer header = ByteBuffer.wrap(copy);
        if (r.nextBoolean()) {
            header.putShort(2, (short) (r.nextBoolean() ? r.nextInt(40) - 20 : r.nextInt(1 << 16)));
        } else {
            header.putShort(0, (short) (r.nextBoolean() ? r.nextInt(80) : r.nextInt(1 << 16)));
        }
        return copy;
    }

    /**
     * Finds positions holding a plausible length or count (a small non-negative int32 or int16, or a one-byte varint)
     * and overwrites one of them with an extreme value.
     */
    private static Mutated extremeLength(FuzzCorpus.Frame frame, Random r) {
        byte[] bytes = frame.bytes();
        ByteBuffer view = ByteBuffer.wrap(bytes);
        List<Integer> int32 = new ArrayList<>();
        List<Integer> int16 = new ArrayList<>();
        List<Integer> varint = new ArrayList<>();
        for (int i = 4; i + 1 < bytes.length; i++) {
            if (i + 3 < bytes.length) {
                int v = view.getInt(i);
                if (v > 0 && v < 4096) {
                    int32.add(i);
                }
            }
            short s = view.getShort(i);
            if (s > 0 && s < 256) {
                int16.add(i);
            }
            if (bytes[i] > 0 && bytes[i] < 64) {
                varint.add(i);
            }
        }
        byte[] copy = bytes.clone();
        ByteBuffer out = ByteBuffer.wrap(copy);
        int kind = r.nextInt(3);
        if (kind == 0 && !int32.isEmpty()) {
            out.putInt(
                    int32.get(r.nextInt(int32.size())), FuzzBatches.EXTREME_INTS[r.nextInt(4) == 0 ? 0 : r.nextInt(5)]);
            return new Mutated("extreme-int32", copy);
        }
        if (kind == 1 && !int16.isEmpty()) {
            short[] extremes = {0, -1, Short.MAX_VALUE, Short.MIN_VALUE};
            out.putShort(int16.get(r.nextInt(int16.size())), extremes[r.nextInt(extremes.length)]);
            return new Mutated("extreme-int16", copy);
        }
        if (varint.isEmpty()) {
            return new Mutated("byte-flips", flips(bytes, r));
        }
        int at = varint.get(r.nextInt(varint.size()));
        if (r.nextBoolean()) {
            copy[at] = (byte) (r.nextBoolean() ? 0x00 : 0x7F);
            return new Mutated("extreme-varint", copy);
        }
        // 2^31-1 as an unsigned varint in place of the one-byte value: the frame grows by four bytes
        byte[] huge = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07};
        byte[] grown = new byte[bytes.length + 4];
        System.arraycopy(bytes, 0, grown, 0, at);
        System.arraycopy(huge, 0, grown, at, huge.length);
        System.arraycopy(bytes, at + 1, grown, at + huge.length, bytes.length - at - 1);
        return new Mutated("extreme-varint", grown);
    }
}
