package dev.skein.broker.protocol;

import dev.skein.broker.partition.Partition;
import dev.skein.broker.partition.PartitionRegistry;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Finds the local leader of a partition for a client request and says which Kafka error to return otherwise
 * (unknown partition, not the leader, fenced or unknown leader epoch).
 */
final class LeaderLookup {
    /** The partition, or the error a client gets instead. Exactly one of the two is set. */
    record Result(Partition partition, Errors error) {
        boolean ok() {
            return partition != null;
        }
    }

    /** Epoch value clients send when they have none to compare. */
    static final int NO_EPOCH = -1;

    private final PartitionRegistry partitions;

    LeaderLookup(PartitionRegistry partitions) {
        this.partitions = partitions;
    }

    Result leader(TopicPartition tp, int currentLeaderEpoch) {
        Optional<Partition> found = partitions.get(tp);
        if (found.isEmpty()) {
            return new Result(null, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        Partition partition = found.get();
        if (!partition.isLeader()) {
            return new Result(null, Errors.NOT_LEADER_OR_FOLLOWER);
        }
        Errors epochError = checkEpoch(currentLeaderEpoch, partition.leaderEpoch());
        return epochError == Errors.NONE ? new Result(partition, Errors.NONE) : new Result(null, epochError);
    }

    static Errors checkEpoch(int requested, int current) {
        if (requested == NO_EPOCH) {
            return Errors.NONE;
        }
        if (requested > current) {
            return Errors.UNKNOWN_LEADER_EPOCH;
        }
        return requested < current ? Errors.FENCED_LEADER_EPOCH : Errors.NONE;
    }
}
