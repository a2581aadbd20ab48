package dev.skein.broker.log;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.common.TopicPartition;
import org.mapdb.Atomic;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;

/**
 * The broker's small, must-not-be-torn state, in one transactional MapDB file ({@code broker-state.db}): per
 * partition its recovery point, high-watermark checkpoint, log start offset, leader-epoch history and producer-state
 * snapshot (with the log offset the snapshot covers), the {@link LogCleaner}'s checkpoint (first dirty offset) of
 * compacted logs, plus a clean-shutdown flag.
 *
 * <p>Durability: writes are invisible after a crash until {@link #commit} returns; MapDB's write-ahead log makes each
 * commit atomic, so a crash leaves the state of the previous commit. Callers batch commits on a timer, never per
 * record. Partitions are keyed by {@code topic + "-" + partition}.
 *
 * <p>Threading: every method is synchronized; commits are serialized with updates.
 */
public final class BrokerStateStore implements Closeable {
    private final DB db;
    private final ConcurrentMap<String, Long> recoveryPoints;
    private final ConcurrentMap<String, Long> highWatermarks;
    private final ConcurrentMap<String, Long> logStartOffsets;
    private final ConcurrentMap<String, long[]> leaderEpochs;
    private final ConcurrentMap<String, byte[]> producerSnapshots;
    private final ConcurrentMap<String, Long> producerSnapshotOffsets;
    private final ConcurrentMap<String, Long> cleanerCheckpoints;
    private final Atomic.Boolean cleanShutdown;
    private long commits;

    private BrokerStateStore(
            DB db,
            ConcurrentMap<String, Long> recoveryPoints,
            ConcurrentMap<String, Long> highWatermarks,
            ConcurrentMap<String, Long> logStartOffsets,
            ConcurrentMap<String, long[]> leaderEpochs,
            ConcurrentMap<String, byte[]> producerSnapshots,
            ConcurrentMap<String, Long> producerSnapshotOffsets,
            ConcurrentMap<String, Long> cleanerCheckpoints,
            Atomic.Boolean cleanShutdown) {
        this.db = db;
        this.recoveryPoints = recoveryPoints;
        this.highWatermarks = highWatermarks;
        this.logStartOffsets = logStartOffsets;
        this.leaderEpochs = leaderEpochs;
        this.producerSnapshots = producerSnapshots;
        this.producerSnapshotOffsets = producerSnapshotOffsets;
        this.cleanerCheckpoints = cleanerCheckpoints;
        this.cleanShutdown = cleanShutdown;
    }

    /** Opens or creates the store in transactional mode. */
    public static BrokerStateStore open(Path file) {
        DB db = DBMaker.fileDB(file.toFile()).transactionEnable().make();
        return new BrokerStateStore(
                db,
                db.hashMap("recoveryPoints", Serializer.STRING, Serializer.LONG).createOrOpen(),
                db.hashMap("highWatermarks", Serializer.STRING, Serializer.LONG).createOrOpen(),
                db.hashMap("logStartOffsets", Serializer.STRING, Serializer.LONG)
                        .createOrOpen(),
                db.hashMap("leaderEpochs", Serializer.STRING, Serializer.LONG_ARRAY)
                        .createOrOpen(),
                db.hashMap("producerSnapshots", Serializer.STRING, Serializer.BYTE_ARRAY)
                        .createOrOpen(),
                db.hashMap("producerSnapshotOffsets", Serializer.STRING, Serializer.LONG)
                        .createOrOpen(),
                db.hashMap("cleanerCheckpoints", Serializer.STRING, Serializer.LONG)
                        .createOrOpen(),
                db.atomicBoolean("cleanShutdown", false).createOrOpen());
    }

    /** The persisted state of one partition; absent fields are empty. */
    public record PartitionState(
            OptionalLong recoveryPoint,
            OptionalLong highWatermark,
            OptionalLong logStartOffset,
            long[] leaderEpochs,
            Optional<byte[]> producerSnapshot,
            long producerSnapshotOffset) {}

    private static String key(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    public synchronized PartitionState load(TopicPartition tp) {
        String k = key(tp);
        Long snapshotOffset = producerSnapshotOffsets.get(k);
        return new PartitionState(
                optional(recoveryPoints.get(k)),
                optional(highWatermarks.get(k)),
                optional(logStartOffsets.get(k)),
                leaderEpochs.getOrDefault(k, new long[0]),
                Optional.ofNullable(producerSnapshots.get(k)),
                snapshotOffset == null ? -1L : snapshotOffset);
    }

    private static OptionalLong optional(Long value) {
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /** Stages one partition's checkpoint; durable at the next {@link #commit}. */
    public synchronized void put(
            TopicPartition tp,
            long recoveryPoint,
            long highWatermark,
            long logStartOffset,
            long[] epochs,
            byte[] producerSnapshot,
            long producerSnapshotOffset) {
        String k = key(tp);
        recoveryPoints.put(k, recoveryPoint);
        highWatermarks.put(k, highWatermark);
        logStartOffsets.put(k, logStartOffset);
        leaderEpochs.put(k, epochs);
        if (producerSnapshot != null) {
            producerSnapshots.put(k, producerSnapshot);
            producerSnapshotOffsets.put(k, producerSnapshotOffset);
        }
    }

    /** Forgets everything about the partition (topic deletion); durable at the next commit. */
    public synchronized void remove(TopicPartition tp) {
        String k = key(tp);
        recoveryPoints.remove(k);
        highWatermarks.remove(k);
        logStartOffsets.remove(k);
        leaderEpochs.remove(k);
        producerSnapshots.remove(k);
        producerSnapshotOffsets.remove(k);
        cleanerCheckpoints.remove(k);
    }

    /** The first offset the log cleaner has not yet cleaned in the partition, if it ever cleaned it. */
    public synchronized OptionalLong cleanerCheckpoint(TopicPartition tp) {
        return optional(cleanerCheckpoints.get(key(tp)));
    }

    /** Stages the cleaner checkpoint; durable at the next {@link #commit}. */
    public synchronized void putCleanerCheckpoint(TopicPartition tp, long firstDirtyOffset) {
        cleanerCheckpoints.put(key(tp), firstDirtyOffset);
    }

    public synchronized boolean wasCleanShutdown() {
        return cleanShutdown.get();
    }

    /** Sets the flag and commits at once: cleared when the broker starts, set as the very last step of close. */
    public synchronized void markCleanShutdown(boolean clean) {
        cleanShutdown.set(clean);
        db.commit();
    }

    /** Makes every staged write durable, atomically. */
    public synchronized void commit() {
        db.commit();
        commits++;
    }

    /** How many commits this store made since it was opened (each one syncs the file). */
    synchronized long commitCount() {
        return commits;
    }

    @Override
    public synchronized void close() {
        if (!db.isClosed()) {
            db.close();
        }
    }
}
