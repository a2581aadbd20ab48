package dev.skein.broker.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link FaultProxy} against a one-byte echo server: pass-through, one-way cut and heal, delay, reset, and a cut of
 * only the connections one broker's replica fetcher opened.
 */
class FaultProxyTest {
    private ServerSocket echo;
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread server = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket socket = echo.accept();
                    Thread t = new Thread(() -> {
                        try (socket;
                                InputStream in = socket.getInputStream();
                                OutputStream out = socket.getOutputStream()) {
                            int b;
                            while ((b = in.read()) >= 0) {
                                out.write(b);
                                out.flush();
                            }
                        } catch (IOException e) {
                            // Connection ended.
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        server.setDaemon(true);
        server.start();
        proxy = new FaultProxy("test", echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout(300);
        return socket;
    }

    @Test
    void oneWayCutHoldsBytesUntilHealed() throws IOException {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(7);
            assertThat(socket.getInputStream().read()).isEqualTo(7);

            proxy.blackhole(false, true);
            socket.getOutputStream().write(8);
            assertThatThrownBy(() -> socket.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

            proxy.heal();
            socket.setSoTimeout(5000);
            assertThat(socket.getInputStream().read()).isEqualTo(8);
        }
    }

    @Test
    void peerCutHoldsOnlyThatBrokersFetcherConnections() throws IOException {
        try (Socket fetcher = connect();
                Socket client = connect()) {
            fetcher.setSoTimeout(5000);
            client.setSoTimeout(5000);
            byte[] fetch = requestHeader("skein-replica-fetcher-2-1");
            byte[] produce = requestHeader("producer-7");
            fetcher.getOutputStream().write(fetch);
            client.getOutputStream().write(produce);
            assertThat(fetcher.getInputStream().readNBytes(fetch.length)).isEqualTo(fetch);
            assertThat(client.getInputStream().readNBytes(produce.length)).isEqualTo(produce);

            proxy.peerFault(2, true, false, 0);
            fetcher.setSoTimeout(300);
            fetcher.getOutputStream().write(4);
            client.getOutputStream().write(3);
            assertThat(client.getInputStream().read())
                    .as("other connections pass")
                    .isEqualTo(3);
            assertThatThrownBy(() -> fetcher.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

            proxy.heal();
            fetcher.setSoTimeout(5000);
            assertThat(fetcher.getInputStream().read()).isEqualTo(4);
        }
    }

    @Test
    void sourceBrokerIsReadFromTheReplicaFetchersClientId() {
        byte[] fetch = requestHeader("skein-replica-fetcher-3-1-0");
        assertThat(FaultProxy.sourceBroker(fetch, fetch.length)).isEqualTo(3);
        byte[] other = requestHeader("consumer-group-1");
        assertThat(FaultProxy.sourceBroker(other, other.length)).isZero();
        assertThat(FaultProxy.sourceBroker(fetch, 10)).isZero();
    }

    /** A Kafka request's first bytes: size, api key 1 (Fetch), version 12, correlation id 1, client id. */
    private static byte[] requestHeader(String clientId) {
        byte[] id = clientId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer header = java.nio.ByteBuffer.allocate(14 + id.length);
        header.putInt(10 + id.length).putShort((short) 1).putShort((short) 12).putInt(1);
        header.putShort((short) id.length).put(id);
        return header.array();
    }

    @Test
    void delayHoldsEveryChunk() throws IOException {
        proxy.delay(200);
        try (Socket socket = connect()) {
            socket.setSoTimeout(5000);
            long start = System.nanoTime();
            socket.getOutputStream().write(1);
            assertThat(socket.getInputStream().read()).isEqualTo(1);
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThanOrEqualTo(400);
        }
    }

    @Test
    void resetClosesOpenConnectionsAndNewOnesStillWork() throws IOException {
        try (Socket socket = connect()) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(5);
            assertThat(socket.getInputStream().read()).isEqualTo(5); // the proxy has the connection now
            proxy.resetAll();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
        try (Socket again = connect()) {
            again.setSoTimeout(5000);
            again.getOutputStream().write(9);
            assertThat(again.getInputStream().read()).isEqualTo(9);
        }
    }
}
