package dev.skein.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TransactionState;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.requests.DescribeTransactionsResponse;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;

/** Raw transaction-coordinator requests, as a transactional client sends them. */
final class TxnRequests {
    private TxnRequests() {}

    static InitProducerIdResponse init(
            RawConnection raw, String transactionalId, int timeoutMs, long producerId, short epoch) throws Exception {
        return (InitProducerIdResponse) raw.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                        .setTransactionalId(transactionalId)
                        .setTransactionTimeoutMs(timeoutMs)
                        .setProducerId(producerId)
                        .setProducerEpoch(epoch))
                .build((short) 4));
    }

    static Map<TopicPartition, Errors> addPartitions(
            RawConnection raw, String id, long producerId, short epoch, List<TopicPartition> partitions)
            throws Exception {
        AddPartitionsToTxnResponse response = (AddPartitionsToTxnResponse)
                raw.send(AddPartitionsToTxnRequest.Builder.forClient(id, producerId, epoch, partitions)
                        .build((short) 3));
        return response.errors().get(AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID);
    }

    static Errors endTxn(RawConnection raw, String id, long producerId, short epoch, boolean commit) throws Exception {
        EndTxnResponse response = (EndTxnResponse) raw.send(new EndTxnRequest.Builder(
                        new EndTxnRequestData()
                                .setTransactionalId(id)
                                .setProducerId(producerId)
                                .setProducerEpoch(epoch)
                                .setCommitted(commit),
                        false)
                .build((short) 4));
        return response.error();
    }

    /** EndTxn v5 ({@code transaction.version} 2): the answer carries the producer id and epoch to continue with. */
    static EndTxnResponse endTxnV5(RawConnection raw, String id, long producerId, short epoch, boolean commit)
            throws Exception {
        return (EndTxnResponse) raw.send(new EndTxnRequest.Builder(
                        new EndTxnRequestData()
                                .setTransactionalId(id)
                                .setProducerId(producerId)
                                .setProducerEpoch(epoch)
                                .setCommitted(commit),
                        true)
                .build((short) 5));
    }

    static TransactionState describe(RawConnection raw, String id) throws Exception {
        DescribeTransactionsResponse response =
                (DescribeTransactionsResponse) raw.send(new DescribeTransactionsRequest.Builder(
                                new DescribeTransactionsRequestData().setTransactionalIds(List.of(id)))
                        .build((short) 0));
        return response.data().transactionStates().get(0);
    }

    /**
     * Looks up the transaction coordinator of {@code transactionalId} on the broker at {@code port} until it is ready:
     * the state topic is created and loaded on the first lookup, and answers COORDINATOR_NOT_AVAILABLE meanwhile.
     */
    static void awaitCoordinator(int port, String transactionalId) {
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> {
                    try (RawConnection raw = new RawConnection(port)) {
                        FindCoordinatorResponse found = (FindCoordinatorResponse)
                                raw.send(new FindCoordinatorRequest.Builder(new FindCoordinatorRequestData()
                                                .setKeyType(FindCoordinatorRequest.CoordinatorType.TRANSACTION.id())
                                                .setCoordinatorKeys(List.of(transactionalId)))
                                        .build((short) 4));
                        assertThat(Errors.forCode(
                                        found.data().coordinators().get(0).errorCode()))
                                .isEqualTo(Errors.NONE);
                        InitProducerIdResponse probe = init(raw, "probe-" + transactionalId, 60_000, -1, (short) -1);
                        assertThat(probe.error()).isEqualTo(Errors.NONE);
                    }
                });
    }
}
