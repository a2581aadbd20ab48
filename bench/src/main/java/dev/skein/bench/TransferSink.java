package dev.skein.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.GatheringByteChannel;
import org.apache.kafka.common.network.TransferableChannel;

/**
 * A {@link TransferableChannel} over any blocking gathering channel (a file such as {@code /dev/null}, or a blocking
 * socket): file-backed records reach it through {@link FileChannel#transferTo}, i.e. {@code sendfile(2)} on Linux,
 * the same path the broker's fetch response takes.
 */
final class TransferSink implements TransferableChannel {
    private final GatheringByteChannel target;

    TransferSink(GatheringByteChannel target) {
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
