package dev.skein.broker.log;

import java.io.Closeable;
import java.io.IOError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.mapdb.Atomic;
import org.mapdb.DB;
import org.mapdb.DBMaker;
import org.mapdb.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>A file that cannot be read back (torn or corrupted, e.g. by a crash soon after the disk filled up) is handled as
 * Kafka handles a lost checkpoint file: {@link #openOrSetAside} moves it aside and starts empty, and the logs then
 * recover from their segments alone (recovery point 0: a full scan that also re-learns the leader epochs from the
 * batches and replays the producer state from the log start).
 *
 * <p>Threading: every method is synchronized; commits are serialized with updates.
 */
public final class BrokerStateStore implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerStateStore.class);
    /** Suffix of a state file moved aside, followed by the time it was moved in epoch milliseconds. */
    static final String SET_ASIDE_SUFFIX = ".corrupt-";

    private final DB db;
    private final ConcurrentMap<String, Long> recoveryPoints;
    private final ConcurrentMap<String, Long> highWatermarks;
    private final ConcurrentMap<String, Long> logStartOffsets;
    private final ConcurrentMap<String, long[]> leaderEpochs;
    private final ConcurrentMap<String, byte[]> producerSnapshots;
    private final ConcurrentMap<String, Long> producerSnapshotOffsets;
    private final ConcurrentMap<String, Long> cleanerCheckpoints;
    private final Atomic.Boolean cleanShutdown;

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

    /**
     * Opens the store like {@link #open}, then reads every entry back; if opening or reading fails, or a value is
     * impossible, the file and its write-ahead-log files are renamed to {@code <name>.corrupt-<epoch ms>} (logged
     * with the reason) and an empty store is created in their place. An empty store reports an unclean shutdown.
     */
    public static BrokerStateStore openOrSetAside(Path file, Time time) throws IOException {
        BrokerStateStore store = null;
        try {
            store = open(file);
            store.verify();
            return store;
        } catch (RuntimeException | IOError | AssertionError unreadable) {
            if (store != null) {
                closeAfterFailure(store, unreadable);
            }
            List<Path> moved = setAside(file, time.milliseconds());
            LOG.error(
                    "The broker state file {} cannot be read ({}); moved {} aside and starting from an empty state: "
                            + "every log is recovered from its segments (full scan, leader epochs and producer state"
                            + " rebuilt from the batches)",
                    file,
                    unreadable.toString(),
                    moved,
                    unreadable);
            return open(file);
        }
    }

    private static void closeAfterFailure(BrokerStateStore store, Throwable cause) {
        try {
            store.close();
        } catch (RuntimeException | IOError | AssertionError suppressed) {
            cause.addSuppressed(suppressed);
        }
    }

    /** Renames {@code file} and every file named {@code <file>.*} (MapDB's write-ahead logs) with the given time. */
    private static List<Path> setAside(Path file, long nowMs) throws IOException {
        String name = file.getFileName().toString();
        Path dir = file.toAbsolutePath().getParent();
        List<Path> parts;
        try (Stream<Path> entries = Files.list(dir)) {
            parts = entries.filter(p -> {
                        String n = p.getFileName().toString();
                        return (n.equals(name) || n.startsWith(name + ".")) && !n.contains(SET_ASIDE_SUFFIX);
                    })
                    .toList();
        }
        for (Path part : parts) {
            String n = part.getFileName().toString();
            String aside = name + SET_ASIDE_SUFFIX + nowMs + n.substring(name.length());
            Files.move(part, dir.resolve(aside), StandardCopyOption.ATOMIC_MOVE);
        }
        DirectorySync.fsync(dir);
        return parts;
    }

    /** Deserializes every stored value and checks it is possible; throws if one is not. */
    private synchronized void verify() {
        cleanShutdown.get();
        for (Map<String, Long> offsets :
                List.of(recoveryPoints, highWatermarks, logStartOffsets, producerSnapshotOffsets, cleanerCheckpoints)) {
            for (Map.Entry<String, Long> entry : offsets.entrySet()) {
                if (entry.getKey() == null || entry.getValue() == null || entry.getValue() < -1) {
                    throw new IllegalStateException("impossible offset " + entry);
                }
            }
        }
        for (Map.Entry<String, long[]> entry : leaderEpochs.entrySet()) {
            if (entry.getValue() == null || entry.getValue().length % 2 != 0) {
                throw new IllegalStateException("leader-epoch entries of " + entry.getKey() + " are not pairs");
            }
        }
        for (Map.Entry<String, byte[]> entry : producerSnapshots.entrySet()) {
            if (entry.getValue() == null) {
                throw new IllegalStateException("producer snapshot of " + entry.getKey() + " is unreadable");
            }
        }
    }

    /** Opens or creates the store in transactional mode; a corrupt file makes this or a later read throw. */
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
    }

    @Override
    public synchronized void close() {
        if (!db.isClosed()) {
            db.close();
        }
    }
}
