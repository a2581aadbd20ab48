package dev.skein.broker.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.SocketChannel;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * Adapts a gathering channel — the broker's non-blocking plaintext {@link SocketChannel}, or in benchmarks a file such
 * as {@code /dev/null} — to kafka-clients' {@link TransferableChannel}, so that a response {@code Send} holding
 * file-backed records is written with {@link FileChannel#transferTo} (zero-copy, {@code sendfile(2)} on Linux).
 */
public final class GatheringTransferableChannel implements TransferableChannel {
    private final GatheringByteChannel target;

    public GatheringTransferableChannel(GatheringByteChannel target) {
        this.target = target;
    }

    @Override
    public boolean hasPendingWrites() {
        return false;
    }

    @Override
    public long transferFrom(FileChannel fileChannel, long position, long count) throws IOException {
        return fileChannel.transferTo(position, count, target);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return target.write(srcs, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return target.write(srcs);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return target.write(src);
    }

    @Override
    public boolean isOpen() {
        return target.isOpen();
    }

    @Override
    public void close() throws IOException {
        target.close();
    }
}
