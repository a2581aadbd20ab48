package dev.skein.broker.replica;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A blocking Kafka-protocol connection from a follower to a leader: one request in flight, size-prefixed frames,
 * kafka-clients' request and response classes. Used by one {@link ReplicaFetcher} thread only; not thread-safe.
 */
final class LeaderConnection implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String clientId;
    private int correlationId;

    private LeaderConnection(Socket socket, DataInputStream in, OutputStream out, String clientId) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.clientId = clientId;
    }

    /**
     * Connects to {@code host:port}; reads time out after {@code readTimeoutMs}.
     *
     * @throws IOException if the leader cannot be reached
     */
    static LeaderConnection open(String host, int port, int readTimeoutMs, String clientId) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), readTimeoutMs);
            socket.setSoTimeout(readTimeoutMs);
            socket.setTcpNoDelay(true);
            return new LeaderConnection(
                    socket, new DataInputStream(socket.getInputStream()), socket.getOutputStream(), clientId);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends {@code request} and waits for its response. */
    AbstractResponse send(AbstractRequest request) throws IOException {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), clientId, correlationId++);
        ByteBuffer payload = request.serializeWithHeader(header);
        ByteBuffer frame = ByteBuffer.allocate(4 + payload.remaining());
        frame.putInt(payload.remaining()).put(payload).flip();
        out.write(frame.array(), 0, frame.limit());
        out.flush();
        int size = in.readInt();
        byte[] body = new byte[size];
        in.readFully(body);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(body), header);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
