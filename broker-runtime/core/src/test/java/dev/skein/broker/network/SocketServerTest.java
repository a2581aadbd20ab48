package dev.skein.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.skein.testkit.time.ManualTime;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.network.ByteBufferSend;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.FileRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener's bounds and failure containment, through real sockets against a {@link SocketServer} whose handler
 * echoes each frame back — or misbehaves, when the frame's first byte asks it to.
 */
class SocketServerTest {
    private static final byte ECHO = 0;
    private static final byte THROW_ERROR = 1;
    private static final byte TRUNCATED_FILE_SEND = 2;
    private static final byte OUT_OF_MEMORY = 3;

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private final List<Socket> sockets = new ArrayList<>();
    private SocketServer server;
    private RequestMemoryPool pool;

    private void start(long poolBytes, int maxConnections, int maxPerIp, long idleMs) throws IOException {
        pool = new RequestMemoryPool(poolBytes);
        server = SocketServer.open(
                new InetSocketAddress("127.0.0.1", 0),
                this::handle,
                1,
                1,
                new SocketServer.Settings(
                        (int) Math.min(Integer.MAX_VALUE, poolBytes), pool, maxConnections, maxPerIp, idleMs, time),
                "test");
    }

    private void handle(ByteBuffer frame, RequestChannel channel) {
        byte kind = frame.remaining() > 0 ? frame.get(frame.position()) : ECHO;
        switch (kind) {
            case THROW_ERROR -> throw new StackOverflowError("deep request");
            case OUT_OF_MEMORY -> throw new OutOfMemoryError("Java heap space (simulated)");
            case TRUNCATED_FILE_SEND -> channel.send(truncatedFileSend());
            default -> channel.send(echo(frame));
        }
    }

    private static Send echo(ByteBuffer frame) {
        ByteBuffer out = ByteBuffer.allocate(4 + frame.remaining());
        out.putInt(frame.remaining()).put(frame).flip();
        return new ByteBufferSend(out);
    }

    /** What a zero-copy fetch response does when retention or truncation shrank the segment after the read. */
    private Send truncatedFileSend() {
        try {
            Path file = Files.createTempFile(dir, "segment", ".log");
            Files.write(file, new byte[4096]);
            FileRecords records = FileRecords.open(file.toFile());
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(100);
            }
            return new Send() {
                private boolean done;

                @Override
                public boolean completed() {
                    return done;
                }

                @Override
                public long writeTo(TransferableChannel channel) throws IOException {
                    long written = records.writeTo(channel, 0, 4096);
                    done = true;
                    return written;
                }

                @Override
                public long size() {
                    return 4096;
                }
            };
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.boundAddress().getPort());
        socket.setSoTimeout(5_000);
        sockets.add(socket);
        return socket;
    }

    private static void send(Socket socket, byte[] bytes) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    private static byte[] frame(byte kind, int bodyBytes) {
        ByteBuffer frame = ByteBuffer.allocate(4 + bodyBytes).putInt(bodyBytes);
        if (bodyBytes > 0) {
            frame.put(kind);
        }
        return frame.array();
    }

    private static byte[] roundTrip(Socket socket, byte kind, int bodyBytes) throws IOException {
        send(socket, frame(kind, bodyBytes));
        return readFrame(socket);
    }

    private static byte[] readFrame(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        byte[] body = new byte[in.readInt()];
        in.readFully(body);
        return body;
    }

    private static boolean closedByPeer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() < 0;
        } catch (SocketException e) {
            return true;
        }
    }

    @Test
    void announcedFramesHoldNoMemoryAndFreshClientsAreServed() throws Exception {
        start(1024 * 1024, Integer.MAX_VALUE, Integer.MAX_VALUE, 600_000);
        for (int i = 0; i < 200; i++) {
            send(connect(), ByteBuffer.allocate(4).putInt(1024 * 1024).array());
        }
        Socket fresh = connect();
        assertThat(roundTrip(fresh, ECHO, 1000)).hasSize(1000);
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.used() == 0);
        assertThat(server.connectionCount()).isEqualTo(201);
    }

    @Test
    void exhaustedPoolMutesReadsUntilMemoryIsReleased() throws Exception {
        int frameBytes = 256 * 1024;
        start(frameBytes, Integer.MAX_VALUE, Integer.MAX_VALUE, 600_000);
        Socket large = connect();
        byte[] whole = frame(ECHO, frameBytes);
        send(large, java.util.Arrays.copyOf(whole, 4 + 200 * 1024));
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.used() == frameBytes);

        Socket small = connect();
        send(small, frame(ECHO, 100));
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.waiters() == 1);
        small.setSoTimeout(300);
        try {
            readFrame(small);
            throw new AssertionError("a request was read although the pool was full");
        } catch (SocketTimeoutException expected) {
            // muted while the pool is full
        }
        assertThat(pool.used()).isLessThanOrEqualTo(pool.capacity());

        send(large, java.util.Arrays.copyOfRange(whole, 4 + 200 * 1024, whole.length));
        assertThat(readFrame(large)).hasSize(frameBytes);
        small.setSoTimeout(5_000);
        assertThat(readFrame(small)).hasSize(100);
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.used() == 0);
    }

    @Test
    void partlyReceivedFramesThatFillThePoolDoNotDeadlock() throws Exception {
        int frameBytes = 256 * 1024;
        start(frameBytes, Integer.MAX_VALUE, Integer.MAX_VALUE, 600_000);
        List<Socket> clients = new ArrayList<>();
        byte[] whole = frame(ECHO, frameBytes);
        int firstPart = 4 + 10 * 1024; // each connection reserves a first chunk it has not filled
        for (int i = 0; i < 4; i++) {
            Socket client = connect();
            send(client, java.util.Arrays.copyOf(whole, firstPart));
            clients.add(client);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> pool.used() == frameBytes);
        for (Socket client : clients) {
            send(client, java.util.Arrays.copyOfRange(whole, firstPart, whole.length));
        }
        for (Socket client : clients) {
            assertThat(readFrame(client)).hasSize(frameBytes);
        }
    }

    @Test
    void frameLargerThanThePoolIsRefused() throws Exception {
        start(64 * 1024, Integer.MAX_VALUE, Integer.MAX_VALUE, 600_000);
        Socket client = connect();
        send(client, ByteBuffer.allocate(4).putInt(64 * 1024 + 1).array());
        assertThat(closedByPeer(client)).isTrue();
        assertThat(roundTrip(connect(), ECHO, 10)).hasSize(10);
    }

    @Test
    void connectionsOverMaxConnectionsPerIpAreClosed() throws Exception {
        start(1024 * 1024, Integer.MAX_VALUE, 3, 600_000);
        List<Socket> allowed = List.of(connect(), connect(), connect());
        for (Socket s : allowed) {
            assertThat(roundTrip(s, ECHO, 5)).hasSize(5);
        }
        Socket refused = connect();
        assertThat(closedByPeer(refused)).isTrue();

        allowed.get(0).close();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 2);
        assertThat(roundTrip(connect(), ECHO, 5)).hasSize(5);
    }

    @Test
    void connectionsOverMaxConnectionsAreClosed() throws Exception {
        start(1024 * 1024, 2, Integer.MAX_VALUE, 600_000);
        assertThat(roundTrip(connect(), ECHO, 5)).hasSize(5);
        assertThat(roundTrip(connect(), ECHO, 5)).hasSize(5);
        assertThat(closedByPeer(connect())).isTrue();
    }

    @Test
    void idleConnectionsAreClosedAfterConnectionsMaxIdleMs() throws Exception {
        start(1024 * 1024, Integer.MAX_VALUE, Integer.MAX_VALUE, 10_000);
        Socket idle = connect();
        Socket active = connect();
        assertThat(roundTrip(idle, ECHO, 5)).hasSize(5);
        time.sleep(6_000);
        assertThat(roundTrip(active, ECHO, 5)).hasSize(5);
        time.sleep(6_000);
        assertThat(closedByPeer(idle)).as("idle for 12 s of 10 s allowed").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionCount() == 1);
        assertThat(roundTrip(active, ECHO, 5)).as("active 6 s ago").hasSize(5);
    }

    @Test
    void errorFromOneRequestClosesOnlyItsConnection() throws Exception {
        start(1024 * 1024, Integer.MAX_VALUE, Integer.MAX_VALUE, 600_000);
        Socket bad = connect();
        send(bad, frame(THROW_ERROR, 1));
        assertThat(closedByPeer(bad)).isTrue();
        assertThat(roundTrip(connect(), ECHO, 5)).hasSize(5);
        assertThat(server.isAlive()).isTrue();
    }

    @Test
    void zeroCopySendCutShortByTruncationClosesOnlyItsConnection() throws Exception {
        start(1024 * 1024, Integer.MAX_VALUE, Integer.MAX_VALUE, 600_000);
        Socket bad = connect();
        send(bad, frame(TRUNCATED_FILE_SEND, 1));
        assertThat(closedByPeer(bad)).isTrue();
        assertThat(roundTrip(connect(), ECHO, 5))
                .as("the single network thread still serves")
                .hasSize(5);
        assertThat(server.isAlive()).isTrue();
    }

    @Test
    void outOfMemoryFailsLiveness() throws Exception {
        start(1024 * 1024, Integer.MAX_VALUE, Integer.MAX_VALUE, 600_000);
        assertThat(server.isAlive()).isTrue();
        Socket bad = connect();
        send(bad, frame(OUT_OF_MEMORY, 1));
        assertThat(closedByPeer(bad)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> !server.isAlive());
        assertThat(server.fatalError()).hasValueSatisfying(e -> assertThat(e).contains("OutOfMemoryError"));
    }
}
