package dev.skein.broker.protocol;

import dev.skein.broker.txn.coordinator.TransactionViews;
import dev.skein.broker.txn.coordinator.TransactionViews.TransactionDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicDataCollection;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TransactionState;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.requests.DescribeTransactionsResponse;

/**
 * DescribeTransactions: state, producer, timeout, start time and partitions of each transactional id this broker
 * coordinates (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS or TRANSACTIONAL_ID_NOT_FOUND per id otherwise).
 */
final class DescribeTransactionsApi implements ApiHandler {
    private final TransactionViews views;

    DescribeTransactionsApi(TransactionViews views) {
        this.views = views;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        DescribeTransactionsRequestData data = ((DescribeTransactionsRequest) request).data();
        List<TransactionState> states = new ArrayList<>();
        for (String id : data.transactionalIds()) {
            states.add(state(views.describe(id)));
        }
        return CompletableFuture.completedFuture(
                new DescribeTransactionsResponse(new DescribeTransactionsResponseData().setTransactionStates(states)));
    }

    private static TransactionState state(TransactionDescription d) {
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        for (TopicPartition tp : d.partitions()) {
            byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
        }
        TopicDataCollection topics = new TopicDataCollection();
        byTopic.forEach((topic, partitions) -> {
            partitions.sort(null);
            topics.add(new TopicData().setTopic(topic).setPartitions(partitions));
        });
        return new TransactionState()
                .setErrorCode(d.error().code())
                .setTransactionalId(d.transactionalId())
                .setTransactionState(d.state())
                .setTransactionTimeoutMs(d.timeoutMs())
                .setTransactionStartTimeMs(d.startTimestampMs())
                .setProducerId(d.producerId())
                .setProducerEpoch(d.producerEpoch())
                .setTopics(topics);
    }
}
