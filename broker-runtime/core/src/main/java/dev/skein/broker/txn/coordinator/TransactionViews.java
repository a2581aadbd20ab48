package dev.skein.broker.txn.coordinator;

import dev.skein.broker.txn.coordinator.TransactionShards.Shard;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;

/** What DescribeTransactions and ListTransactions show of the transactional ids this broker coordinates. */
public final class TransactionViews {
    private final TransactionShards shards;
    private final Time time;

    /** One transactional id as DescribeTransactions shows it; {@code error} other than NONE leaves the rest empty. */
    public record TransactionDescription(
            Errors error,
            String transactionalId,
            String state,
            int timeoutMs,
            long startTimestampMs,
            long producerId,
            short producerEpoch,
            Set<TopicPartition> partitions) {}

    /** One line of ListTransactions. */
    public record TransactionListing(String transactionalId, long producerId, String state) {}

    /** The filters of ListTransactions (empty sets and -1 / null mean no filter). */
    public record ListFilter(Set<String> states, Set<Long> producerIds, long minDurationMs, Pattern idPattern) {}

    TransactionViews(TransactionShards shards, Time time) {
        this.shards = shards;
        this.time = time;
    }

    public TransactionDescription describe(String transactionalId) {
        Errors coordinator = shards.check(transactionalId);
        if (coordinator != Errors.NONE) {
            return empty(coordinator, transactionalId);
        }
        TransactionMetadata meta = shards.shardOf(transactionalId).ids.get(transactionalId);
        if (meta == null) {
            return empty(Errors.TRANSACTIONAL_ID_NOT_FOUND, transactionalId);
        }
        synchronized (meta) {
            TransactionEntry e = meta.entry;
            if (e.state() == TransactionState.DEAD) {
                return empty(Errors.TRANSACTIONAL_ID_NOT_FOUND, transactionalId);
            }
            return new TransactionDescription(
                    Errors.NONE,
                    transactionalId,
                    e.state().kafkaName(),
                    e.timeoutMs(),
                    e.startTimestampMs(),
                    e.producerId(),
                    e.producerEpoch(),
                    e.partitions());
        }
    }

    private static TransactionDescription empty(Errors error, String transactionalId) {
        return new TransactionDescription(error, transactionalId, "", 0, -1, -1, (short) -1, Set.of());
    }

    /**
     * The ids of every loaded partition that pass {@code filter}; the error is COORDINATOR_LOAD_IN_PROGRESS (with
     * what is known so far) while a partition loads.
     */
    public java.util.Map.Entry<Errors, List<TransactionListing>> list(ListFilter filter) {
        long now = time.milliseconds();
        List<TransactionListing> result = new ArrayList<>();
        for (Shard shard : shards.loadedShards()) {
            for (TransactionMetadata meta : shard.ids.values()) {
                synchronized (meta) {
                    TransactionEntry e = meta.entry;
                    if (e.state() != TransactionState.DEAD && matches(filter, meta.transactionalId, e, now)) {
                        result.add(new TransactionListing(
                                meta.transactionalId, e.producerId(), e.state().kafkaName()));
                    }
                }
            }
        }
        Errors error = shards.anyLoading() ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NONE;
        return java.util.Map.entry(error, result);
    }

    private static boolean matches(ListFilter filter, String id, TransactionEntry e, long now) {
        if (!filter.states().isEmpty()
                && filter.states().stream()
                        .noneMatch(s -> s.equalsIgnoreCase(e.state().kafkaName()))) {
            return false;
        }
        if (!filter.producerIds().isEmpty() && !filter.producerIds().contains(e.producerId())) {
            return false;
        }
        if (filter.minDurationMs() >= 0 && now - e.startTimestampMs() <= filter.minDurationMs()) {
            return false; // as Kafka: "running longer than", measured from the start timestamp
        }
        return filter.idPattern() == null || filter.idPattern().matcher(id).matches();
    }
}
