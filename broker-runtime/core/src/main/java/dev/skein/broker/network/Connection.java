package dev.skein.broker.network;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.network.Send;

/**
 * One client connection, owned by a single {@link Processor} thread. Reads one size-prefixed frame at a time, hands it
 * to the handler and stays muted until that request's outcome arrives; frames pipelined behind it wait in the kernel's
 * socket buffer. Only {@link RequestChannel} methods are called from other threads; they forward to the owning
 * processor.
 *
 * <p>Memory: an idle connection holds no buffer. The 4-byte size is read through the processor's scratch buffer into
 * an int; the frame body is reserved from the {@link RequestMemoryPool} and allocated only as its bytes arrive — the
 * first chunk (up to {@link #FIRST_CHUNK_BYTES}) once some body bytes are readable, then growing {@link #GROWTH}-fold —
 * so a client announcing 100 MiB and sending nothing costs nothing, and one sending n bytes holds at most
 * {@code GROWTH * n} (at least the first chunk). The reservation is returned when the request's outcome has been
 * delivered or the connection closes. When the pool cannot grant a reservation the connection stops reading until
 * memory is released ({@link #awaitingMemory()}).
 */
final class Connection implements RequestChannel {
    static final int FIRST_CHUNK_BYTES = 64 * 1024;
    private static final int GROWTH = 4;

    private final String id;
    private final SocketChannel socket;
    private final GatheringTransferableChannel transferable;
    private final Processor processor;
    private final RequestMemoryPool pool;
    private final int maxRequestBytes;
    private final InetAddress clientAddress;
    private SelectionKey key;
    private int sizeBytesRead;
    private int frameSize;
    private ByteBuffer frame;
    private long reserved;
    private boolean awaitingMemory;
    private Send pendingSend;
    private boolean inFlight;
    private volatile boolean closed;
    private final AtomicReference<Runnable> closeAction = new AtomicReference<>();
    private long lastActivityMs;

    Connection(
            String id,
            SocketChannel socket,
            Processor processor,
            RequestMemoryPool pool,
            int maxRequestBytes,
            long nowMs) {
        this.id = id;
        this.socket = socket;
        this.transferable = new GatheringTransferableChannel(socket);
        this.processor = processor;
        this.pool = pool;
        this.maxRequestBytes = maxRequestBytes;
        this.clientAddress = socket.socket().getInetAddress();
        this.lastActivityMs = nowMs;
    }

    void attach(SelectionKey key) {
        this.key = key;
    }

    SocketChannel socket() {
        return socket;
    }

    /**
     * Reads what the socket has toward the next frame and returns it once complete, or null if not complete yet (or
     * the pool has no memory for it: then {@link #awaitingMemory()} is true and the connection is muted).
     *
     * @param scratch the processor's reusable buffer, at least {@link #FIRST_CHUNK_BYTES} long
     * @throws FrameException for a frame size outside 0..max
     * @throws IOException when the peer closed or the socket failed
     */
    ByteBuffer readFrame(ByteBuffer scratch, long nowMs) throws IOException {
        if (sizeBytesRead < 4 && !readSize(scratch, nowMs)) {
            return null;
        }
        if (frame == null && !readFirstChunk(scratch, nowMs)) {
            return null;
        }
        while (frame.position() < frameSize) {
            if (frame.position() == frame.capacity() && !grow()) {
                return null;
            }
            int n = socket.read(frame);
            if (n < 0) {
                throw new IOException("peer closed the connection");
            }
            if (n == 0) {
                return null;
            }
            lastActivityMs = nowMs;
        }
        ByteBuffer complete = frame.flip();
        frame = null;
        sizeBytesRead = 0;
        frameSize = 0;
        return complete;
    }

    private boolean readSize(ByteBuffer scratch, long nowMs) throws IOException {
        scratch.clear().limit(4 - sizeBytesRead);
        int n = socket.read(scratch);
        if (n < 0) {
            throw new IOException("peer closed the connection");
        }
        if (n > 0) {
            lastActivityMs = nowMs;
        }
        for (int i = 0; i < n; i++) {
            frameSize = (frameSize << 8) | (scratch.get(i) & 0xff);
            sizeBytesRead++;
        }
        if (sizeBytesRead < 4) {
            return false;
        }
        int max = (int) Math.min(maxRequestBytes, pool.capacity());
        if (frameSize < 0 || frameSize > max) {
            throw new FrameException("request frame of " + frameSize + " bytes is outside 0.." + max
                    + " (socket.request.max.bytes, queued.max.request.bytes)");
        }
        return true;
    }

    /** Reserves and reads the first chunk of the body; holds nothing if the client has sent no body bytes yet. */
    private boolean readFirstChunk(ByteBuffer scratch, long nowMs) throws IOException {
        int chunk = Math.min(frameSize, FIRST_CHUNK_BYTES);
        if (!reserve(chunk)) {
            return false;
        }
        scratch.clear().limit(chunk);
        int n = chunk == 0 ? 0 : socket.read(scratch);
        if (n < 0) {
            throw new IOException("peer closed the connection");
        }
        if (n == 0 && chunk > 0) {
            releaseReservation();
            return false;
        }
        if (n > 0) {
            lastActivityMs = nowMs;
        }
        frame = ByteBuffer.allocate(chunk);
        frame.put(scratch.flip());
        return true;
    }

    /** Replaces the full frame buffer by one {@link #GROWTH} times larger (capped at the frame size). */
    private boolean grow() {
        int capacity = frame.capacity();
        int larger = (int) Math.min(frameSize, (long) capacity * GROWTH);
        if (!reserve(larger - capacity)) {
            return false;
        }
        ByteBuffer bigger = ByteBuffer.allocate(larger);
        bigger.put(frame.flip());
        frame = bigger;
        return true;
    }

    private boolean reserve(int bytes) {
        if (!pool.tryReserve(bytes, reserved, awaitingMemory)) {
            if (!awaitingMemory) {
                awaitingMemory = true;
                updateInterest();
            }
            return false;
        }
        if (awaitingMemory) {
            awaitingMemory = false;
            updateInterest();
        }
        reserved += bytes;
        return true;
    }

    private void releaseReservation() {
        pool.release(reserved);
        reserved = 0;
    }

    /** True while muted because the memory pool refused this connection's next reservation. */
    boolean awaitingMemory() {
        return awaitingMemory;
    }

    boolean inFlight() {
        return inFlight;
    }

    /** Time of the last byte read or written, or of the last request completed. */
    long lastActivityMs() {
        return lastActivityMs;
    }

    /**
     * Marks a request as handed out. Until its outcome is in, only the next frame's 4-byte size is read ({@link
     * #readAhead}): enough to notice that the client closed the connection — which drops a parked fetch at once —
     * without taking a second request.
     */
    void startRequest() {
        inFlight = true;
        updateInterest();
    }

    /**
     * While a request is in flight: reads what is there of the next frame's size, then stops reading.
     *
     * @throws IOException when the peer closed (or the size is invalid: {@link FrameException})
     */
    void readAhead(ByteBuffer scratch, long nowMs) throws IOException {
        if (sizeBytesRead < 4) {
            readSize(scratch, nowMs);
        }
        updateInterest();
    }

    /** Reads while a frame may be taken (or its size read ahead) and memory is there; writes while a send is pending. */
    private void updateInterest() {
        if (!key.isValid()) {
            return;
        }
        boolean read = !awaitingMemory && (!inFlight || sizeBytesRead < 4);
        boolean write = pendingSend != null;
        key.interestOps((read ? SelectionKey.OP_READ : 0) | (write ? SelectionKey.OP_WRITE : 0));
    }

    /** Starts writing a response; returns true once it is completely written. */
    boolean startSend(Send send, long nowMs) throws IOException {
        pendingSend = send;
        return writePending(nowMs);
    }

    /** Continues writing the pending response; returns true once it is completely written. */
    boolean writePending(long nowMs) throws IOException {
        while (!pendingSend.completed()) {
            if (pendingSend.writeTo(transferable) == 0) {
                updateInterest();
                return false;
            }
            lastActivityMs = nowMs;
        }
        pendingSend = null;
        updateInterest();
        return true;
    }

    /** The request's outcome is fully delivered: return its memory and resume reading. */
    void finishRequest(long nowMs) {
        inFlight = false;
        closeAction.set(null);
        lastActivityMs = nowMs;
        releaseReservation();
        updateInterest();
    }

    /**
     * Closes the socket and returns everything this connection held; idempotent.
     *
     * @return true if this call closed it
     */
    boolean closeQuietly() {
        if (closed) {
            return false;
        }
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a broken socket: nothing left to do
        }
        if (key != null) {
            key.cancel();
        }
        if (awaitingMemory) {
            awaitingMemory = false;
            pool.stopWaiting(reserved);
        }
        frame = null;
        pendingSend = null;
        releaseReservation();
        runCloseAction();
        return true;
    }

    private void runCloseAction() {
        Runnable action = closeAction.getAndSet(null);
        if (action != null) {
            action.run();
        }
    }

    @Override
    public void whenClosed(Runnable action) {
        closeAction.set(action);
        if (closed) {
            runCloseAction();
        }
    }

    boolean isClosed() {
        return closed;
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
