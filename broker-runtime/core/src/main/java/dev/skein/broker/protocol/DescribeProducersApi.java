package dev.skein.broker.protocol;

import dev.skein.broker.txn.ProducerEntry;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.requests.DescribeProducersResponse;

/**
 * DescribeProducers (KIP-664): for each partition this broker leads, the producers its log knows — epoch, last
 * sequence, last timestamp, the coordinator epoch of their last marker and the first offset of their open
 * transaction (-1 if none), as Kafka answers. A partition led elsewhere gets NOT_LEADER_OR_FOLLOWER, an unknown one
 * UNKNOWN_TOPIC_OR_PARTITION.
 */
final class DescribeProducersApi implements ApiHandler {
    private final LeaderLookup leaders;

    DescribeProducersApi(LeaderLookup leaders) {
        this.leaders = leaders;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        DescribeProducersRequest describe = (DescribeProducersRequest) request;
        DescribeProducersResponseData response = new DescribeProducersResponseData();
        for (TopicRequest topic : describe.data().topics()) {
            TopicResponse topicResponse = new TopicResponse().setName(topic.name());
            for (int index : topic.partitionIndexes()) {
                topicResponse.partitions().add(describe(new TopicPartition(topic.name(), index)));
            }
            response.topics().add(topicResponse);
        }
        return CompletableFuture.completedFuture(new DescribeProducersResponse(response));
    }

    private PartitionResponse describe(TopicPartition tp) {
        PartitionResponse out = new PartitionResponse().setPartitionIndex(tp.partition());
        LeaderLookup.Result leader = leaders.leader(tp, LeaderLookup.NO_EPOCH);
        if (!leader.ok()) {
            return out.setErrorCode(leader.error().code())
                    .setErrorMessage(leader.error().message());
        }
        for (ProducerEntry entry : leader.partition().log().producerEntries()) {
            out.activeProducers()
                    .add(new ProducerState()
                            .setProducerId(entry.producerId())
                            .setProducerEpoch(entry.epoch())
                            .setLastSequence(entry.lastSeq())
                            .setLastTimestamp(entry.lastTimestamp())
                            .setCoordinatorEpoch(entry.coordinatorEpoch())
                            .setCurrentTxnStartOffset(
                                    entry.currentTxnFirstOffset().orElse(-1L)));
        }
        return out;
    }
}
