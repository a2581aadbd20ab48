package dev.skein.broker.it;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * One fuzzing socket: sends a frame (prefixed with its true size) and waits, up to the bound, for the broker to answer
 * it or close the connection. Requests that legitimately get no answer (Produce with acks=0) are followed by an
 * ApiVersions "ping" on the same connection, whose answer proves the broker handled the first; a silent broker is
 * pinged the same way before the input counts as a hang. Reconnects after a close. Not thread-safe: one per worker.
 */
final class FuzzConnection implements AutoCloseable {
    /** What the broker did with one input. */
    enum Result {
        /** Answered (the frame's own response, or the ping after it). */
        ANSWERED,
        /** Closed the connection. */
        CLOSED,
        /** Answered only after the bound, within the grace a long run on a shared machine allows (not a finding). */
        SLOW,
        /** Neither within the bound (plus grace), and the ping after it was not answered either. */
        SILENT
    }

    private static final int PING_CORRELATION_ID = 0x7EEDBEEF;
    private static final byte[] PING = ping();

    private final int port;
    private final int boundMs;
    private final int graceMs;
    private Socket socket;
    private DataInputStream in;
    private OutputStream out;

    FuzzConnection(int port, int boundMs) {
        this(port, boundMs, 0);
    }

    /**
     * @param graceMs how much longer than the bound a silent connection may take to answer the ping before the input
     *     is a hang; such an input counts as {@link Result#SLOW}. 0 (CI) means the bound is strict.
     */
    FuzzConnection(int port, int boundMs, int graceMs) {
        this.port = port;
        this.boundMs = boundMs;
        this.graceMs = graceMs;
    }

    /**
     * Sends {@code frame} and closes the connection without waiting: for requests that may legitimately wait longer
     * than the bound (their answer would tell nothing within it).
     */
    void sendAndClose(byte[] frame) throws IOException {
        ensureOpen();
        try {
            out.write(ByteBuffer.allocate(4).putInt(frame.length).array());
            out.write(frame);
            out.flush();
        } catch (SocketException e) {
            // closed by the broker already
        }
        close();
    }

    /** Sends {@code frame}; {@code expectsAnswer} false sends the ping right after it. */
    Result exchange(byte[] frame, boolean expectsAnswer) throws IOException {
        ensureOpen();
        try {
            out.write(ByteBuffer.allocate(4).putInt(frame.length).array());
            out.write(frame);
            if (!expectsAnswer) {
                out.write(PING);
            }
            out.flush();
        } catch (SocketException e) {
            return closed();
        }
        try {
            if (expectsAnswer) {
                readFrame();
            } else {
                readUntilPing();
            }
            return Result.ANSWERED;
        } catch (SocketTimeoutException e) {
            return pingAfterSilence();
        } catch (EOFException | SocketException e) {
            return closed();
        }
    }

    private Result pingAfterSilence() throws IOException {
        try {
            out.write(PING);
            out.flush();
            readUntilPing();
            return Result.ANSWERED;
        } catch (SocketTimeoutException e) {
            return graceMs > 0 ? awaitPingWithinGrace() : silent();
        } catch (EOFException | SocketException e) {
            return closed();
        }
    }

    private Result awaitPingWithinGrace() throws IOException {
        try {
            socket.setSoTimeout(graceMs);
            readUntilPing();
            socket.setSoTimeout(boundMs);
            return Result.SLOW;
        } catch (SocketTimeoutException e) {
            return silent();
        } catch (EOFException | SocketException e) {
            return closed();
        }
    }

    private Result silent() {
        close();
        return Result.SILENT;
    }

    /**
     * Delivers one fuzz frame the way the campaign does: a request that may legitimately wait past the bound is sent
     * without waiting (returns null), Produce acks=0 is followed by the ping, anything else must be answered.
     */
    Result deliver(byte[] frame) throws IOException {
        org.apache.kafka.common.requests.AbstractRequest parsed = FuzzInputs.parse(frame);
        if (FuzzInputs.mayWaitPast(parsed, boundMs)) {
            sendAndClose(frame);
            return null;
        }
        return exchange(frame, parsed == null || FuzzInputs.expectsAnswer(parsed));
    }

    /** A fresh socket's ApiVersions round trip within the bound (the liveness invariant). */
    static boolean answersApiVersions(int port, int boundMs) {
        try (FuzzConnection probe = new FuzzConnection(port, boundMs)) {
            probe.ensureOpen();
            probe.out.write(PING);
            probe.out.flush();
            probe.readUntilPing();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads one response and returns its correlation id. */
    private int readFrame() throws IOException {
        int size = in.readInt();
        if (size < 4 || size > 64 << 20) {
            throw new SocketException("response size " + size);
        }
        int correlationId = in.readInt();
        in.skipNBytes(size - 4);
        return correlationId;
    }

    private void readUntilPing() throws IOException {
        while (readFrame() != PING_CORRELATION_ID) {
            // a response to the frame before the ping
        }
    }

    private Result closed() {
        close();
        return Result.CLOSED;
    }

    private void ensureOpen() throws IOException {
        if (socket == null) {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(boundMs);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            out = new java.io.BufferedOutputStream(socket.getOutputStream());
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing a socket the broker may already have closed
            }
            socket = null;
        }
    }

    private static byte[] ping() {
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(ApiKeys.API_VERSIONS.id)
                .setRequestApiVersion((short) 0)
                .setCorrelationId(PING_CORRELATION_ID)
                .setClientId("fuzz-ping");
        ByteBuffer body = RequestUtils.serialize(
                header, ApiKeys.API_VERSIONS.requestHeaderVersion((short) 0), new ApiVersionsRequestData(), (short) 0);
        return ByteBuffer.allocate(4 + body.remaining())
                .putInt(body.remaining())
                .put(body)
                .array();
    }
}
