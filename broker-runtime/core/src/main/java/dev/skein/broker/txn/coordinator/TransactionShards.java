package dev.skein.broker.txn.coordinator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;

/**
 * Which {@code __transaction_state} partitions this coordinator owns, whether each is loading or active, and the
 * transactional ids of each. An id belongs to partition {@code abs(transactionalId.hashCode()) % partitionCount}, as
 * in Kafka. A shard is identified by its object: a partition lost and regained gets a new one, so work started for
 * the old one can tell it is stale ({@link #isCurrent}). Thread-safe.
 */
final class TransactionShards {
    /** One owned partition; {@code coordinatorEpoch} is its leader epoch when it was loaded. */
    static final class Shard {
        final int partition;
        volatile int coordinatorEpoch = -1;
        volatile boolean loaded;
        final Map<String, TransactionMetadata> ids = new ConcurrentHashMap<>();

        Shard(int partition) {
            this.partition = partition;
        }
    }

    private final IntSupplier partitionCount;
    private final Map<Integer, Shard> shards = new ConcurrentHashMap<>();

    TransactionShards(IntSupplier partitionCount) {
        this.partitionCount = partitionCount;
    }

    int partitionFor(String transactionalId) {
        return Utils.abs(transactionalId.hashCode()) % partitionCount.getAsInt();
    }

    /** NONE if this coordinator serves the id now, else NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS. */
    Errors check(String transactionalId) {
        Shard shard = shards.get(partitionFor(transactionalId));
        if (shard == null) {
            return Errors.NOT_COORDINATOR;
        }
        return shard.loaded ? Errors.NONE : Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }

    /** The shard of the id's partition, loaded or not, or null. */
    Shard shardOf(String transactionalId) {
        return shards.get(partitionFor(transactionalId));
    }

    Shard startLoading(int partition) {
        Shard shard = new Shard(partition);
        shards.put(partition, shard);
        return shard;
    }

    boolean isCurrent(Shard shard) {
        return shards.get(shard.partition) == shard;
    }

    Shard remove(int partition) {
        return shards.remove(partition);
    }

    boolean anyLoading() {
        return shards.values().stream().anyMatch(s -> !s.loaded);
    }

    List<Shard> loadedShards() {
        List<Shard> result = new ArrayList<>();
        for (Shard shard : shards.values()) {
            if (shard.loaded) {
                result.add(shard);
            }
        }
        return result;
    }
}
