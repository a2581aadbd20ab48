package dev.skein.broker.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.junit.jupiter.api.Test;

/** Markers for this broker reach its local writer directly, on the caller's thread; everything else the network. */
class LocalFirstBrokerClientTest {
    private static final int LOCAL = 1;

    private final List<Integer> networkSends = new ArrayList<>();
    private final BrokerClient network = (brokerId, request) -> {
        networkSends.add(brokerId);
        return new CompletableFuture<>();
    };
    private final List<WriteTxnMarkersRequestData> written = new ArrayList<>();
    private final List<Thread> writerThreads = new ArrayList<>();
    private final LocalFirstBrokerClient client = new LocalFirstBrokerClient(LOCAL, network);

    private static WriteTxnMarkersRequest.Builder markers(long producerId) {
        return new WriteTxnMarkersRequest.Builder(new WriteTxnMarkersRequestData()
                .setMarkers(new ArrayList<>(List.of(new WritableTxnMarker()
                        .setProducerId(producerId)
                        .setProducerEpoch((short) 2)
                        .setTransactionResult(true)
                        .setCoordinatorEpoch(4)
                        .setTopics(new ArrayList<>(List.of(new WritableTxnMarkerTopic()
                                .setName("t")
                                .setPartitionIndexes(new ArrayList<>(List.of(0))))))))));
    }

    private void installRecordingWriter() {
        client.install(request -> {
            written.add(request);
            writerThreads.add(Thread.currentThread());
            return CompletableFuture.completedFuture(
                    new WriteTxnMarkersResponse(Map.of(7L, Map.of(new TopicPartition("t", 0), Errors.NONE))));
        });
    }

    @Test
    void markersForThisBrokerAreWrittenDirectlyOnTheCallersThread() {
        installRecordingWriter();

        AbstractResponse response = client.send(LOCAL, markers(7)).join();

        assertThat(networkSends).isEmpty();
        assertThat(written).singleElement().satisfies(data -> {
            assertThat(data.markers().get(0).producerId()).isEqualTo(7);
            assertThat(data.markers().get(0).coordinatorEpoch()).isEqualTo(4);
        });
        assertThat(writerThreads).containsExactly(Thread.currentThread());
        assertThat(((WriteTxnMarkersResponse) response).errorsByProducerId().get(7L))
                .containsEntry(new TopicPartition("t", 0), Errors.NONE);
    }

    @Test
    void otherBrokersOtherRequestsAndMarkersBeforeInstallGoOverTheNetwork() {
        client.send(LOCAL, markers(7));
        installRecordingWriter();
        client.send(2, markers(7));
        AbstractRequest.Builder<?> verification =
                AddPartitionsToTxnRequest.Builder.forBroker(new AddPartitionsToTxnTransactionCollection());
        client.send(LOCAL, verification);

        assertThat(networkSends).containsExactly(LOCAL, 2, LOCAL);
        assertThat(written).isEmpty();
    }

    @Test
    void aWriterThatThrowsFailsTheFutureInsteadOfTheCaller() {
        client.install(request -> {
            throw new IllegalStateException("log offline");
        });

        CompletableFuture<AbstractResponse> response = client.send(LOCAL, markers(7));

        assertThatThrownBy(response::join)
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);
    }
}
