package dev.skein.broker.txn.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.skein.testkit.time.ManualTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResultCollection;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.junit.jupiter.api.Test;

/**
 * A partition leader whose broker does not coordinate the transactional id asks the coordinator's broker with an
 * AddPartitionsToTxn v4+ verifyOnly request and reports the answer in produce terms.
 */
class TransactionVerificationTest {
    private static final TopicPartition P0 = new TopicPartition("data", 0);

    private final List<AddPartitionsToTxnTransaction> asked = new ArrayList<>();
    private final List<Integer> askedBrokers = new ArrayList<>();

    /** A coordinator owning no {@code __transaction_state} partition: every id is coordinated elsewhere. */
    private final TransactionCoordinator notCoordinator = new TransactionCoordinator(
            new TransactionConfig(1, (short) 1, 1, 1 << 20, 60_000, 100_000, 1000, 1000),
            new TransactionShards(() -> 3),
            null,
            null,
            () -> CompletableFuture.completedFuture(1L),
            Runnable::run,
            new ManualTime());

    private TransactionVerification answering(Errors error) {
        return new TransactionVerification(notCoordinator, partition -> 4, 1, (broker, request) -> {
            askedBrokers.add(broker);
            AddPartitionsToTxnRequest built = ((AddPartitionsToTxnRequest.Builder) request).build((short) 5);
            AddPartitionsToTxnTransaction transaction =
                    built.data().transactions().iterator().next();
            asked.add(transaction);
            AddPartitionsToTxnResultCollection results = new AddPartitionsToTxnResultCollection();
            results.add(
                    AddPartitionsToTxnResponse.resultForTransaction(transaction.transactionalId(), Map.of(P0, error)));
            return CompletableFuture.<AbstractResponse>completedFuture(new AddPartitionsToTxnResponse(
                    new AddPartitionsToTxnResponseData().setResultsByTransaction(results)));
        });
    }

    @Test
    void remoteCoordinatorIsAskedWithVerifyOnly() {
        Errors answer =
                answering(Errors.NONE).verify("tx", 7, (short) 2, P0, false).join();

        assertThat(answer).isEqualTo(Errors.NONE);
        assertThat(askedBrokers).containsExactly(4);
        assertThat(asked.get(0).verifyOnly()).isTrue();
        assertThat(asked.get(0).producerId()).isEqualTo(7);
        assertThat(asked.get(0).producerEpoch()).isEqualTo((short) 2);
    }

    @Test
    void remoteAnswersBecomeProduceErrors() {
        assertThat(answering(Errors.PRODUCER_FENCED)
                        .verify("tx", 7, (short) 2, P0, false)
                        .join())
                .isEqualTo(Errors.INVALID_PRODUCER_EPOCH);
        assertThat(answering(Errors.INVALID_TXN_STATE)
                        .verify("tx", 7, (short) 2, P0, false)
                        .join())
                .isEqualTo(Errors.INVALID_TXN_STATE);
        assertThat(answering(Errors.CONCURRENT_TRANSACTIONS)
                        .verify("tx", 7, (short) 2, P0, false)
                        .join())
                .isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
    }

    @Test
    void unreachableCoordinatorIsRetriable() {
        TransactionVerification verification = new TransactionVerification(
                notCoordinator,
                partition -> 4,
                1,
                (broker, request) -> CompletableFuture.failedFuture(new java.io.IOException("refused")));
        assertThat(verification.verify("tx", 7, (short) 2, P0, false).join()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
        TransactionVerification noLeader = new TransactionVerification(notCoordinator, partition -> -1, 1, null);
        assertThat(noLeader.verify("tx", 7, (short) 2, P0, false).join()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS);
    }
}
