package dev.skein.broker.network;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.apache.kafka.common.network.Send;

/**
 * One client connection, owned by a single {@link Processor} thread. Reads size-prefixed frames into a reusable
 * buffer, hands one complete frame at a time to the handler and stays muted until that request's outcome arrives;
 * frames that arrived meanwhile (pipelining) wait in the buffer. Only {@link RequestChannel} methods are called from
 * other threads; they forward to the owning processor.
 */
final class Connection implements RequestChannel {
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    private final String id;
    private final SocketChannel socket;
    private final GatheringTransferableChannel transferable;
    private final Processor processor;
    private final int maxRequestBytes;
    private final InetAddress clientAddress;
    private SelectionKey key;
    private ByteBuffer readBuffer = ByteBuffer.allocate(READ_BUFFER_BYTES);
    private ByteBuffer largeFrame;
    private Send pendingSend;
    private boolean inFlight;

    Connection(String id, SocketChannel socket, Processor processor, int maxRequestBytes) {
        this.id = id;
        this.socket = socket;
        this.transferable = new GatheringTransferableChannel(socket);
        this.processor = processor;
        this.maxRequestBytes = maxRequestBytes;
        this.clientAddress = socket.socket().getInetAddress();
    }

    void attach(SelectionKey key) {
        this.key = key;
    }

    SocketChannel socket() {
        return socket;
    }

    /**
     * Reads what the socket has and returns the next complete frame, or null if none is complete yet.
     *
     * @throws FrameException for a frame size outside 0..max
     * @throws IOException when the peer closed or the socket failed
     */
    ByteBuffer readFrame() throws IOException {
        if (largeFrame != null) {
            if (socket.read(largeFrame) < 0) {
                throw new IOException("peer closed the connection");
            }
            return largeFrame.hasRemaining() ? null : takeLargeFrame();
        }
        ByteBuffer frame = nextBufferedFrame();
        if (frame != null || largeFrame != null) {
            return frame;
        }
        if (socket.read(readBuffer) < 0) {
            throw new IOException("peer closed the connection");
        }
        return nextBufferedFrame();
    }

    /** A frame already sitting in the read buffer (pipelined), without reading the socket. */
    ByteBuffer nextBufferedFrame() throws FrameException {
        readBuffer.flip();
        try {
            if (readBuffer.remaining() < 4) {
                return null;
            }
            int size = readBuffer.getInt(readBuffer.position());
            if (size < 0 || size > maxRequestBytes) {
                throw new FrameException("request frame of " + size + " bytes is outside 0.." + maxRequestBytes
                        + " (socket.request.max.bytes)");
            }
            if (readBuffer.remaining() - 4 >= size) {
                readBuffer.position(readBuffer.position() + 4);
                ByteBuffer frame = ByteBuffer.allocate(size);
                int limit = readBuffer.limit();
                readBuffer.limit(readBuffer.position() + size);
                frame.put(readBuffer).flip();
                readBuffer.limit(limit);
                return frame;
            }
            if (size + 4 > readBuffer.capacity()) {
                readBuffer.position(readBuffer.position() + 4);
                largeFrame = ByteBuffer.allocate(size);
                largeFrame.put(readBuffer);
                return largeFrame.hasRemaining() ? null : takeLargeFrame();
            }
            return null;
        } finally {
            readBuffer.compact();
        }
    }

    private ByteBuffer takeLargeFrame() {
        ByteBuffer frame = largeFrame.flip();
        largeFrame = null;
        return frame;
    }

    boolean inFlight() {
        return inFlight;
    }

    /** Marks a request as handed out: stop reading until its outcome is in. */
    void startRequest() {
        inFlight = true;
        key.interestOps(0);
    }

    /** Starts writing a response; returns true once it is completely written. */
    boolean startSend(Send send) throws IOException {
        pendingSend = send;
        return writePending();
    }

    /** Continues writing the pending response; returns true once it is completely written. */
    boolean writePending() throws IOException {
        while (!pendingSend.completed()) {
            if (pendingSend.writeTo(transferable) == 0) {
                key.interestOps(SelectionKey.OP_WRITE);
                return false;
            }
        }
        pendingSend = null;
        return true;
    }

    /** The request's outcome is fully delivered: resume reading. */
    void finishRequest() {
        inFlight = false;
        if (key.isValid()) {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    void closeQuietly() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a broken socket: nothing left to do
        }
        if (key != null) {
            key.cancel();
        }
    }

    @Override
    public void send(Send response) {
        processor.complete(this, response, null);
    }

    @Override
    public void noResponse() {
        processor.complete(this, null, null);
    }

    @Override
    public void close(String reason) {
        processor.complete(this, null, reason);
    }

    @Override
    public String connectionId() {
        return id;
    }

    @Override
    public InetAddress clientAddress() {
        return clientAddress;
    }

    /** A frame that can never be valid: the connection must be closed. */
    static final class FrameException extends IOException {
        FrameException(String message) {
            super(message);
        }
    }
}
