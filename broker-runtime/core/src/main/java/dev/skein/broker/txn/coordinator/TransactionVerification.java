package dev.skein.broker.txn.coordinator;

import dev.skein.broker.txn.TransactionVerifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntUnaryOperator;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

/**
 * The {@link TransactionVerifier} of a partition leader (KIP-890 part 1): asks this broker's coordinator directly when
 * it leads the transactional id's {@code __transaction_state} partition, else the leader of that partition with an
 * AddPartitionsToTxn v4+ broker request ({@code verifyOnly}). Answers in the produce response's terms, as Kafka's
 * leaders do: PRODUCER_FENCED becomes INVALID_PRODUCER_EPOCH; a coordinator that is moving, loading, busy with the
 * previous transaction's markers or unreachable becomes NOT_ENOUGH_REPLICAS, which every client retries;
 * INVALID_TXN_STATE and INVALID_PRODUCER_ID_MAPPING pass through. With {@code add == true} (KIP-890 part 2: produce
 * v12+ and TxnOffsetCommit v5+ of a {@code transaction.version} 2 client, which sends no AddPartitionsToTxn) the
 * coordinator adds the partition to the transaction (starting it if none is open) instead of only checking: locally,
 * or with AddPartitionsToTxn v4+ without {@code verifyOnly}, and answers once the Ongoing entry is committed.
 */
public final class TransactionVerification implements TransactionVerifier {
    private final TransactionCoordinator coordinator;
    private final IntUnaryOperator stateLeader;
    private final int localBrokerId;
    private final BrokerClient client;

    /**
     * @param stateLeader the leader's broker id of a {@code __transaction_state} partition, or -1
     */
    public TransactionVerification(
            TransactionCoordinator coordinator, IntUnaryOperator stateLeader, int localBrokerId, BrokerClient client) {
        this.coordinator = coordinator;
        this.stateLeader = stateLeader;
        this.localBrokerId = localBrokerId;
        this.client = client;
    }

    @Override
    public CompletableFuture<Errors> verify(
            String transactionalId, long producerId, short producerEpoch, TopicPartition partition, boolean add) {
        if (add) {
            return coordinator
                    .addPartitions(
                            transactionalId, producerId, producerEpoch, Set.of(partition), TransactionEntry.TV2_CLIENT)
                    .thenCompose(local -> local != Errors.NOT_COORDINATOR
                            ? CompletableFuture.completedFuture(forProduce(local))
                            : remote(transactionalId, producerId, producerEpoch, partition, true));
        }
        Errors local = coordinator.verifyLocally(transactionalId, producerId, producerEpoch, partition);
        if (local != Errors.NOT_COORDINATOR) {
            return CompletableFuture.completedFuture(forProduce(local));
        }
        return remote(transactionalId, producerId, producerEpoch, partition, false);
    }

    private CompletableFuture<Errors> remote(
            String transactionalId, long producerId, short producerEpoch, TopicPartition partition, boolean add) {
        int leader = stateLeader.applyAsInt(coordinator.partitionFor(transactionalId));
        if (leader < 0 || leader == localBrokerId) {
            return CompletableFuture.completedFuture(Errors.NOT_ENOUGH_REPLICAS);
        }
        return client.send(leader, request(transactionalId, producerId, producerEpoch, partition, add))
                .handle((response, failure) -> {
                    if (failure != null || !(response instanceof AddPartitionsToTxnResponse added)) {
                        return Errors.NOT_ENOUGH_REPLICAS;
                    }
                    Map<TopicPartition, Errors> errors = added.errors().getOrDefault(transactionalId, Map.of());
                    Errors error = errors.get(partition);
                    if (error == null) {
                        error = Errors.forCode(added.data().errorCode());
                    }
                    return forProduce(error);
                });
    }

    private static AddPartitionsToTxnRequest.Builder request(
            String transactionalId, long producerId, short producerEpoch, TopicPartition partition, boolean add) {
        AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
        topics.add(new AddPartitionsToTxnTopic()
                .setName(partition.topic())
                .setPartitions(new java.util.ArrayList<>(List.of(partition.partition()))));
        AddPartitionsToTxnTransactionCollection transactions = new AddPartitionsToTxnTransactionCollection();
        transactions.add(new AddPartitionsToTxnTransaction()
                .setTransactionalId(transactionalId)
                .setProducerId(producerId)
                .setProducerEpoch(producerEpoch)
                .setVerifyOnly(!add)
                .setTopics(topics));
        return AddPartitionsToTxnRequest.Builder.forBroker(transactions);
    }

    /** A coordinator's verification answer as the produce response reports it. */
    static Errors forProduce(Errors error) {
        return switch (error) {
            case PRODUCER_FENCED -> Errors.INVALID_PRODUCER_EPOCH;
            case NOT_COORDINATOR,
                    COORDINATOR_NOT_AVAILABLE,
                    COORDINATOR_LOAD_IN_PROGRESS,
                    CONCURRENT_TRANSACTIONS -> Errors.NOT_ENOUGH_REPLICAS;
            default -> error;
        };
    }
}
