package dev.skein.broker.txn.coordinator;

import dev.skein.broker.partition.InternalTopicLog;
import dev.skein.broker.partition.PartitionRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * {@link StateLog} on a coordinator's internal topic (here {@code __transaction_state}): the appends and replay of
 * {@link InternalTopicLog} (acks=all, futures completed at the high watermark in the epoch appended in, replay of the
 * data records to the log end; control batches are skipped). Thread-safe.
 */
public final class CoordinatorTopicLog implements StateLog {
    private final InternalTopicLog topicLog;

    public CoordinatorTopicLog(PartitionRegistry partitions, String topic) {
        this.topicLog = new InternalTopicLog(partitions, topic);
    }

    @Override
    public int leaderEpoch(int partition) {
        return topicLog.leaderEpoch(partition);
    }

    @Override
    public CompletableFuture<Void> append(int partition, List<SimpleRecord> records) {
        return topicLog.append(partition, records);
    }

    @Override
    public void replay(int partition, Consumer<Record> sink) {
        topicLog.replay(partition, (batch, record) -> sink.accept(record));
    }
}
