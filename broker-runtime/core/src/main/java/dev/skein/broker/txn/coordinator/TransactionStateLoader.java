package dev.skein.broker.txn.coordinator;

import dev.skein.broker.txn.coordinator.TransactionShards.Shard;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a {@code __transaction_state} partition this broker starts leading: replays it (last record per id wins,
 * tombstones delete, unreadable records are skipped and counted), installs the ids unless the shard was resigned
 * meanwhile, and resends the markers of every PrepareCommit/PrepareAbort, as Kafka's coordinator does after a failover.
 * Runs on the coordinator's load executor, never on a request thread.
 */
final class TransactionStateLoader {
    private static final Logger log = LoggerFactory.getLogger(TransactionStateLoader.class);

    private final TransactionShards shards;
    private final StateLog stateLog;
    private final TransactionWriter writer;
    private final Time time;

    TransactionStateLoader(TransactionShards shards, StateLog stateLog, TransactionWriter writer, Time time) {
        this.shards = shards;
        this.stateLog = stateLog;
        this.writer = writer;
        this.time = time;
    }

    void load(Shard shard) {
        long started = time.milliseconds();
        shard.coordinatorEpoch = stateLog.leaderEpoch(shard.partition);
        Map<String, TransactionEntry> entries = new HashMap<>();
        int[] skipped = new int[1];
        try {
            stateLog.replay(shard.partition, record -> {
                try {
                    TransactionRecords.Decoded decoded = TransactionRecords.decode(record);
                    if (decoded.entry() == null) {
                        entries.remove(decoded.transactionalId());
                    } else {
                        entries.put(decoded.transactionalId(), decoded.entry());
                    }
                } catch (IllegalStateException e) {
                    skipped[0]++;
                    log.warn(
                            "Skipping unreadable record at offset {} of __transaction_state-{}: {}",
                            record.offset(),
                            shard.partition,
                            e.getMessage());
                }
            });
        } catch (RuntimeException e) {
            log.error(
                    "Loading __transaction_state-{} failed; its transactional ids stay unavailable",
                    shard.partition,
                    e);
            return;
        }
        if (!shards.isCurrent(shard)) {
            return;
        }
        entries.forEach((id, entry) -> shard.ids.put(id, new TransactionMetadata(id, shard.partition, entry)));
        shard.loaded = true;
        int resumed = 0;
        for (TransactionMetadata meta : shard.ids.values()) {
            synchronized (meta) {
                if (meta.entry.state().isPrepare() && meta.pending == null) {
                    writer.sendMarkers(shard, meta, meta.entry);
                    resumed++;
                }
            }
        }
        log.info(
                "Loaded __transaction_state-{} (coordinator epoch {}): {} ids, {} unreadable records, {} "
                        + "transactions resumed in {} ms",
                shard.partition,
                shard.coordinatorEpoch,
                entries.size(),
                skipped[0],
                resumed,
                time.milliseconds() - started);
    }
}
