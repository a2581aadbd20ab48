package dev.skein.broker.protocol;

import dev.skein.broker.cluster.MetadataStore;
import dev.skein.broker.cluster.TopicDescription;
import dev.skein.broker.txn.coordinator.TransactionCoordinator;
import dev.skein.broker.txn.coordinator.TransactionEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResultCollection;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

/**
 * AddPartitionsToTxn. Versions 0-3 (clients): one transaction; a partition of an unknown topic (or beyond its count)
 * gets UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED, else every partition gets the coordinator's
 * answer. Versions 4+ (brokers, KIP-890 part 1): several transactions; {@code verifyOnly} ones are only checked
 * (NONE when the partition is in the ongoing transaction, else the coordinator's error), the others are added for a
 * {@code transaction.version} 2 client (KIP-890 part 2: a partition leader adds the partition of a produce v12+ or
 * TxnOffsetCommit v5+; Kafka takes a broker version without {@code verifyOnly} as that client version).
 */
final class AddPartitionsToTxnApi implements ApiHandler {
    private final MetadataStore metadata;
    private final TransactionCoordinator transactions;

    AddPartitionsToTxnApi(MetadataStore metadata, TransactionCoordinator transactions) {
        this.metadata = metadata;
        this.transactions = transactions;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        AddPartitionsToTxnRequest add = (AddPartitionsToTxnRequest) request;
        if (context.apiVersion() < 4) {
            return forClient(add, context.apiVersion());
        }
        List<CompletableFuture<AddPartitionsToTxnResponseData.AddPartitionsToTxnResult>> results = new ArrayList<>();
        for (AddPartitionsToTxnTransaction transaction : add.data().transactions()) {
            results.add(forTransaction(transaction));
        }
        return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> {
                    AddPartitionsToTxnResultCollection collection = new AddPartitionsToTxnResultCollection();
                    results.forEach(r -> collection.add(r.join()));
                    return new AddPartitionsToTxnResponse(
                            new AddPartitionsToTxnResponseData().setResultsByTransaction(collection));
                });
    }

    private CompletableFuture<AbstractResponse> forClient(AddPartitionsToTxnRequest add, short version) {
        List<TopicPartition> partitions =
                AddPartitionsToTxnRequest.getPartitions(add.data().v3AndBelowTopics());
        Map<TopicPartition, Errors> unknown = unknownPartitions(partitions);
        CompletableFuture<Map<TopicPartition, Errors>> errors = unknown.isEmpty()
                ? transactions
                        .addPartitions(
                                add.data().v3AndBelowTransactionalId(),
                                add.data().v3AndBelowProducerId(),
                                add.data().v3AndBelowProducerEpoch(),
                                new HashSet<>(partitions))
                        .thenApply(error -> all(
                                partitions,
                                ProducerFencedCompat.forVersion(
                                        error, version, ProducerFencedCompat.ADD_PARTITIONS_TO_TXN)))
                : CompletableFuture.completedFuture(unknown);
        return errors.thenApply(byPartition -> new AddPartitionsToTxnResponse(new AddPartitionsToTxnResponseData()
                .setResultsByTopicV3AndBelow(AddPartitionsToTxnResponse.resultForTransaction(
                                AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID, byPartition)
                        .topicResults())));
    }

    private CompletableFuture<AddPartitionsToTxnResponseData.AddPartitionsToTxnResult> forTransaction(
            AddPartitionsToTxnTransaction transaction) {
        String id = transaction.transactionalId();
        List<TopicPartition> partitions = AddPartitionsToTxnRequest.getPartitions(transaction.topics());
        CompletableFuture<Map<TopicPartition, Errors>> errors;
        if (transaction.verifyOnly()) {
            Map<TopicPartition, Errors> verified = new HashMap<>();
            for (TopicPartition tp : partitions) {
                verified.put(
                        tp, transactions.verifyLocally(id, transaction.producerId(), transaction.producerEpoch(), tp));
            }
            errors = CompletableFuture.completedFuture(verified);
        } else {
            Map<TopicPartition, Errors> unknown = unknownPartitions(partitions);
            errors = unknown.isEmpty()
                    ? transactions
                            .addPartitions(
                                    id,
                                    transaction.producerId(),
                                    transaction.producerEpoch(),
                                    new HashSet<>(partitions),
                                    TransactionEntry.TV2_CLIENT)
                            .thenApply(error -> all(partitions, error))
                    : CompletableFuture.completedFuture(unknown);
        }
        return errors.thenApply(byPartition -> AddPartitionsToTxnResponse.resultForTransaction(id, byPartition));
    }

    /** Empty if every partition exists; else UNKNOWN_TOPIC_OR_PARTITION for the missing, OPERATION_NOT_ATTEMPTED for the rest. */
    private Map<TopicPartition, Errors> unknownPartitions(List<TopicPartition> partitions) {
        Map<TopicPartition, Errors> result = new HashMap<>();
        boolean anyUnknown = false;
        for (TopicPartition tp : partitions) {
            Optional<TopicDescription> topic = metadata.topic(tp.topic());
            boolean known = topic.isPresent() && topic.get().partitions().containsKey(tp.partition());
            anyUnknown |= !known;
            result.put(tp, known ? Errors.OPERATION_NOT_ATTEMPTED : Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        return anyUnknown ? result : Map.of();
    }

    private static Map<TopicPartition, Errors> all(List<TopicPartition> partitions, Errors error) {
        Map<TopicPartition, Errors> result = new HashMap<>();
        partitions.forEach(tp -> result.put(tp, error));
        return result;
    }
}
