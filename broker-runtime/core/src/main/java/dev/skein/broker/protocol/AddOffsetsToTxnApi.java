package dev.skein.broker.protocol;

import dev.skein.broker.group.GroupCoordinator;
import dev.skein.broker.txn.coordinator.TransactionCoordinator;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;

/**
 * AddOffsetsToTxn: adds the group's {@code __consumer_offsets} partition to the transaction, so the commit or abort
 * marker also settles the offsets the producer commits with TxnOffsetCommit.
 */
final class AddOffsetsToTxnApi implements ApiHandler {
    private final TransactionCoordinator transactions;
    private final GroupCoordinator groups;

    AddOffsetsToTxnApi(TransactionCoordinator transactions, GroupCoordinator groups) {
        this.transactions = transactions;
        this.groups = groups;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        AddOffsetsToTxnRequestData data = ((AddOffsetsToTxnRequest) request).data();
        TopicPartition offsets =
                new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, groups.partitionFor(data.groupId()));
        return transactions
                .addPartitions(data.transactionalId(), data.producerId(), data.producerEpoch(), Set.of(offsets))
                .thenApply(error -> new AddOffsetsToTxnResponse(new AddOffsetsToTxnResponseData()
                        .setErrorCode(ProducerFencedCompat.forVersion(
                                        error, context.apiVersion(), ProducerFencedCompat.ADD_OFFSETS_TO_TXN)
                                .code())));
    }
}
