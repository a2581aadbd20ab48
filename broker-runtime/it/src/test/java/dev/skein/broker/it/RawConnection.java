package dev.skein.broker.it;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** A blocking socket speaking raw Kafka frames, for tests that need exact control over the bytes sent. */
final class RawConnection implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private int correlationId;

    RawConnection(int port) throws IOException {
        this(port, null);
    }

    /** Connects from {@code localAddress} (e.g. 127.0.0.2, another loopback address: another client host). */
    RawConnection(int port, InetAddress localAddress) throws IOException {
        socket = new Socket();
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(10_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends {@code request} and parses the response to it. */
    AbstractResponse send(AbstractRequest request) throws IOException {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "raw-test", correlationId++);
        ByteBuffer frame = request.serializeWithHeader(header);
        writeFrame(frame);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(readFrame()), header);
    }

    void writeFrame(ByteBuffer payload) throws IOException {
        ByteBuffer framed = ByteBuffer.allocate(4 + payload.remaining());
        framed.putInt(payload.remaining()).put(payload).flip();
        writeRaw(framed.array());
    }

    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    byte[] readFrame() throws IOException {
        int size = in.readInt();
        byte[] body = new byte[size];
        in.readFully(body);
        return body;
    }

    /** True once the broker has closed the connection (read returns end of stream). */
    boolean closedByPeer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
