package dev.skein.broker.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NetworkBrokerClient#close} never leaves a request's future pending: not one sent while the client closes,
 * not one in flight to a broker that does not answer (its socket read does not notice the thread's interrupt).
 */
class NetworkBrokerClientCloseTest {
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void release() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    private static WriteTxnMarkersRequest.Builder request() {
        return new WriteTxnMarkersRequest.Builder(new WriteTxnMarkersRequestData());
    }

    @Test
    void aRequestSentWhileTheClientClosesFailsInsteadOfHanging() {
        AtomicReference<NetworkBrokerClient> client = new AtomicReference<>();
        // The new destination's thread is made after send() checked that the client is open and before it queues the
        // request: close() runs right there, and the thread sees it, drains its empty queue and ends before the add.
        ThreadFactory closingMeanwhile = runnable -> {
            try {
                client.get().close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Thread(runnable) {
                @Override
                public synchronized void start() {
                    super.start();
                    try {
                        join(10_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
        };
        client.set(new NetworkBrokerClient(id -> null, 5_000, "test-txn", closingMeanwhile));

        CompletableFuture<AbstractResponse> response = client.get().send(3, request());

        assertThat(response)
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(IOException.class);
    }

    @Test
    void closeFailsARequestInFlightAtOnceAndDoesNotWaitForTheReadTimeout() throws Exception {
        ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        resources.add(server);
        CountDownLatch received = new CountDownLatch(1);
        Thread silent = new Thread(() -> {
            try (Socket socket = server.accept()) {
                DataInputStream in = new DataInputStream(socket.getInputStream());
                in.readFully(new byte[in.readInt()]);
                received.countDown();
                in.read(); // never answers; returns when the client closes the connection
            } catch (IOException e) {
                // the test closed the server
            }
        });
        silent.start();
        resources.add(() -> silent.join(10_000));
        NetworkBrokerClient client = new NetworkBrokerClient(
                id -> new NetworkBrokerClient.Address("127.0.0.1", server.getLocalPort()), 60_000, "test-txn");
        CompletableFuture<AbstractResponse> response = client.send(5, request());
        assertThat(received.await(30, TimeUnit.SECONDS)).isTrue();

        long started = System.nanoTime();
        client.close();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        assertThat(response)
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(IOException.class);
        assertThat(client.send(5, request())).isCompletedExceptionally();
    }
}
