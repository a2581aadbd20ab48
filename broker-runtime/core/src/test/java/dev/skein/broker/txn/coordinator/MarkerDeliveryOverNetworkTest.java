package dev.skein.broker.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The marker sender through {@link NetworkBrokerClient} to a fake partition leader on a real socket: the leader drops
 * the first connection unanswered, then acknowledges; the markers arrive as Kafka's WriteTxnMarkers and the completion
 * runs once.
 */
class MarkerDeliveryOverNetworkTest {
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private ServerSocket server;
    private Thread serverThread;
    private NetworkBrokerClient client;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        server.close();
        serverThread.join(10_000);
        scheduler.shutdownNow();
    }

    @Test
    void markersAreResentAfterADroppedConnectionAndCompleteOnce() throws Exception {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        List<WritableTxnMarker> received = new CopyOnWriteArrayList<>();
        serverThread = new Thread(() -> serve(received), "fake-leader");
        serverThread.start();
        client = new NetworkBrokerClient(
                id -> id == 5 ? new NetworkBrokerClient.Address("127.0.0.1", server.getLocalPort()) : null,
                5000,
                "test-txn");
        TransactionMarkerSender sender = new TransactionMarkerSender(client, tp -> 5, Retries.on(scheduler), 10);
        CountDownLatch written = new CountDownLatch(1);
        CopyOnWriteArrayList<String> completions = new CopyOnWriteArrayList<>();

        sender.send(
                new TransactionMarkerSender.Markers(
                        "tx", 42, (short) 3, true, 9, Set.of(new TopicPartition("a", 0), new TopicPartition("b", 1))),
                () -> true,
                () -> {
                    completions.add("done");
                    written.countDown();
                });

        assertThat(written.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(completions).containsExactly("done");
        assertThat(received).hasSize(2); // the dropped request and its retry
        WritableTxnMarker marker = received.get(1);
        assertThat(marker.producerId()).isEqualTo(42);
        assertThat(marker.producerEpoch()).isEqualTo((short) 3);
        assertThat(marker.coordinatorEpoch()).isEqualTo(9);
        assertThat(marker.transactionResult()).isTrue();
        assertThat(marker.topics()).extracting(t -> t.name()).containsExactlyInAnyOrder("a", "b");
    }

    /** Reads WriteTxnMarkers requests; closes the first connection without answering, acknowledges on the next. */
    private void serve(List<WritableTxnMarker> received) {
        int connections = 0;
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                connections++;
                DataInputStream in = new DataInputStream(socket.getInputStream());
                OutputStream out = socket.getOutputStream();
                while (true) {
                    byte[] frame = new byte[in.readInt()];
                    in.readFully(frame);
                    ByteBuffer buffer = ByteBuffer.wrap(frame);
                    RequestHeader header = RequestHeader.parse(buffer);
                    AbstractRequest request = AbstractRequest.parseRequest(
                                    header.apiKey(),
                                    header.apiVersion(),
                                    new org.apache.kafka.common.protocol.ByteBufferAccessor(buffer))
                            .request;
                    WritableTxnMarker marker =
                            ((WriteTxnMarkersRequest) request).data().markers().get(0);
                    received.add(marker);
                    if (connections == 1) {
                        break; // drop the connection: the sender must retry
                    }
                    out.write(answer(header, marker));
                    out.flush();
                }
            } catch (IOException e) {
                // the test closed the server, or the client closed its connection
            }
        }
    }

    private static byte[] answer(RequestHeader header, WritableTxnMarker marker) {
        Map<TopicPartition, Errors> errors = new HashMap<>();
        marker.topics().forEach(t -> t.partitionIndexes()
                .forEach(p -> errors.put(new TopicPartition(t.name(), p), Errors.NONE)));
        WriteTxnMarkersResponse response = new WriteTxnMarkersResponse(Map.of(marker.producerId(), errors));
        short version = header.apiVersion();
        ByteBuffer head = MessageUtil.toByteBufferAccessor(
                        header.toResponseHeader().data(), ApiKeys.WRITE_TXN_MARKERS.responseHeaderVersion(version))
                .buffer();
        ByteBuffer body =
                MessageUtil.toByteBufferAccessor(response.data(), version).buffer();
        ByteBuffer frame = ByteBuffer.allocate(4 + head.remaining() + body.remaining());
        frame.putInt(head.remaining() + body.remaining()).put(head).put(body);
        return frame.array();
    }
}
