package dev.skein.broker.txn.coordinator;

import dev.skein.broker.txn.coordinator.TransactionShards.Shard;
import java.util.Set;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's periodic checks over its loaded ids: aborting transactions older than their timeout (fencing their
 * producer) and expiring ids idle for {@code transactional.id.expiration.ms}. Each id is handled under its monitor;
 * an id with a write in flight is left for the next run.
 */
final class TransactionSweeps {
    private static final Logger log = LoggerFactory.getLogger(TransactionSweeps.class);

    private final TransactionConfig config;
    private final TransactionShards shards;
    private final TransactionWriter writer;
    private final Time time;

    TransactionSweeps(TransactionConfig config, TransactionShards shards, TransactionWriter writer, Time time) {
        this.config = config;
        this.shards = shards;
        this.writer = writer;
        this.time = time;
    }

    /** Aborts ongoing transactions older than their timeout (fencing their producer); run periodically. */
    public int abortTimedOutTransactions() {
        long now = time.milliseconds();
        int aborted = 0;
        for (Shard shard : shards.loadedShards()) {
            for (TransactionMetadata meta : shard.ids.values()) {
                synchronized (meta) {
                    TransactionEntry e = meta.entry;
                    if (meta.pending == null
                            && e.state() == TransactionState.ONGOING
                            && e.startTimestampMs() + e.timeoutMs() < now) {
                        log.info(
                                "Aborting the transaction of {} (producer {} epoch {}): older than its timeout of {} ms",
                                meta.transactionalId,
                                e.producerId(),
                                e.producerEpoch(),
                                e.timeoutMs());
                        writer.abortOngoing(shard, meta);
                        aborted++;
                    }
                }
            }
        }
        return aborted;
    }

    /** Removes ids idle for {@code transactional.id.expiration.ms} (tombstone first); run periodically. */
    public int expireTransactionalIds() {
        long now = time.milliseconds();
        int expired = 0;
        for (Shard shard : shards.loadedShards()) {
            for (TransactionMetadata meta : shard.ids.values()) {
                synchronized (meta) {
                    TransactionEntry e = meta.entry;
                    if (meta.pending == null
                            && e.state().isIdle()
                            && e.updateTimestampMs() + config.idExpirationMs() <= now) {
                        writer.write(shard, meta, e.withState(TransactionState.DEAD, Set.of(), now))
                                .thenAccept(error -> {
                                    if (error == Errors.NONE) {
                                        shard.ids.remove(meta.transactionalId, meta);
                                    }
                                });
                        expired++;
                    }
                }
            }
        }
        return expired;
    }
}
