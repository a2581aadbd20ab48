package dev.skein.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A segment's aborted-transaction index, {@code <baseOffset>.txnindex} (Kafka's {@code TransactionIndex} layout): the
 * aborted transactions whose ABORT marker lies in the segment, in marker order, each a fixed 34-byte big-endian entry
 *
 * <pre>
 * version          int16  = 0
 * producerId       int64
 * firstOffset      int64
 * lastOffset       int64   (the marker's offset, inside the segment)
 * lastStableOffset int64
 * </pre>
 *
 * The file is written without fsync on the append path: it is trusted at startup only after a clean shutdown (whose
 * close flushed it with its segment, see {@link LogSegment#flush}); after a crash, or when a file is missing or does
 * not fit its segment, {@link TransactionRecovery} rebuilds every index from the log. Stateless; callers serialize
 * writes to one file (the log's writer).
 */
final class TxnIndexFile {
    static final int ENTRY_BYTES = 2 + 8 + 8 + 8 + 8;
    private static final short VERSION = 0;

    private TxnIndexFile() {}

    static Path path(Path dir, long baseOffset) {
        return dir.resolve(String.format("%020d.txnindex", baseOffset));
    }

    /** Appends {@code txn} at the end of {@code file}, creating it if absent. */
    static void append(Path file, AbortedTxn txn) throws IOException {
        try (FileChannel channel = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer entry = ByteBuffer.allocate(ENTRY_BYTES);
            put(entry, txn);
            writeFully(channel, entry.flip());
        }
    }

    /** Replaces the content of {@code file} by {@code txns} (creating it if absent). */
    static void write(Path file, List<AbortedTxn> txns) throws IOException {
        ByteBuffer all = ByteBuffer.allocate(txns.size() * ENTRY_BYTES);
        for (AbortedTxn txn : txns) {
            put(all, txn);
        }
        try (FileChannel channel = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(channel, all.flip());
        }
    }

    /** Fsyncs {@code file} if it exists and holds entries (an empty index needs no data on disk). */
    static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (channel.size() > 0) {
                channel.force(true);
            }
        } catch (NoSuchFileException e) {
            // nothing to flush: recovery rebuilds a missing index
        }
    }

    /**
     * The entries of {@code file}, or empty when it is missing or does not fit a segment {@code [baseOffset,
     * nextOffset)}: a partial entry, an unknown version, a marker outside the segment, markers out of order, or a first
     * offset after its marker.
     */
    static Optional<List<AbortedTxn>> read(Path file, long baseOffset, long nextOffset) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (bytes.length % ENTRY_BYTES != 0) {
            return Optional.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        List<AbortedTxn> out = new ArrayList<>(bytes.length / ENTRY_BYTES);
        long previous = Long.MIN_VALUE;
        while (buffer.hasRemaining()) {
            short version = buffer.getShort();
            AbortedTxn txn = new AbortedTxn(buffer.getLong(), buffer.getLong(), buffer.getLong(), buffer.getLong());
            if (version != VERSION
                    || txn.lastOffset() < baseOffset
                    || txn.lastOffset() >= nextOffset
                    || txn.lastOffset() <= previous
                    || txn.firstOffset() > txn.lastOffset()
                    || txn.lastStableOffset() <= txn.firstOffset()) {
                return Optional.empty();
            }
            previous = txn.lastOffset();
            out.add(txn);
        }
        return Optional.of(out);
    }

    private static void put(ByteBuffer buffer, AbortedTxn txn) {
        buffer.putShort(VERSION)
                .putLong(txn.producerId())
                .putLong(txn.firstOffset())
                .putLong(txn.lastOffset())
                .putLong(txn.lastStableOffset());
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
