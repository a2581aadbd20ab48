package dev.skein.broker.log;

import java.io.Closeable;
import java.io.IOError;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's small, must-not-be-torn state, in one transactional MapDB file ({@code broker-state.db}): per
 * partition its recovery point, high-watermark checkpoint, log start offset, leader-epoch history and producer-state
 * snapshot (with the log offset the snapshot covers), the {@link LogCleaner}'s checkpoint (first dirty offset) of
 * compacted logs, plus a clean-shutdown flag.
 *
 * <p>Durability: writes are invisible after a crash until {@link #commit} returns; MapDB's write-ahead log makes each
 * successful commit atomic, so a crash leaves the state of the previous successful commit. Callers batch commits on a
 * timer, never per record.
 *
 * <p>Failures: absent state is always safe, stale or unreadable state is not. A partition without state is recovered
 * from its segments alone, as Kafka recovers when a checkpoint file is lost: recovery point 0 (a full scan that
 * re-learns the leader epochs from the batches), producer state replayed from the log start, high watermark from the
 * log start until the leader advances it. So:
 * <ul>
 *   <li>a file that cannot be read back at start-up is moved aside by {@link #openOrSetAside} (renamed
 *       {@code broker-state.db.corrupt-<epoch ms>}, logged with the reason) and an empty store replaces it;
 *   <li>a write or commit that fails (e.g. ENOSPC) leaves MapDB unable to commit again and its file unreadable after
 *       a crash (measured: see docs/reliability.md), so the store gives that file up the same way at once, starts an
 *       empty one (or, if even that fails, the next time it is used) and throws {@link KafkaStorageException}: the
 *       caller's staged state is lost and will be staged again by the next periodic checkpoint of every log.
 * </ul>
 *
 * <p>Threading: every method is synchronized; commits are serialized with updates.
 */
public final class BrokerStateStore implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerStateStore.class);
    /** Suffix of a state file moved aside, followed by the time it was moved in epoch milliseconds. */
    static final String SET_ASIDE_SUFFIX = ".corrupt-";

    private long commits;

    private final Path file;
    private final Time time;
    /** The open file; null after a failure until a fresh file could be created. */
    private StateTables tables;

    private boolean closed;

    private BrokerStateStore(Path file, Time time, StateTables tables) {
        this.file = file;
        this.time = time;
        this.tables = tables;
    }

    /** Opens or creates the store; a corrupt file makes this or a later read throw (see {@link #openOrSetAside}). */
    public static BrokerStateStore open(Path file) {
        return new BrokerStateStore(file, Time.SYSTEM, StateTables.open(file));
    }

    /**
     * Opens the store like {@link #open}, then reads every entry back; if opening or reading fails, or a value is
     * impossible, the file and its write-ahead-log files are moved aside (logged with the reason) and an empty store
     * is created in their place. An empty store reports an unclean shutdown.
     */
    public static BrokerStateStore openOrSetAside(Path file, Time time) throws IOException {
        StateTables tables = null;
        try {
            tables = StateTables.open(file);
            tables.verify();
            return new BrokerStateStore(file, time, tables);
        } catch (RuntimeException | IOError | AssertionError unreadable) {
            if (tables != null) {
                tables.closeAfterFailure(unreadable);
            }
            List<Path> moved = setAside(file, time.milliseconds());
            LOG.error(
                    "The broker state file {} cannot be read ({}); moved {} aside and starting from an empty state: "
                            + "every log is recovered from its segments (full scan, leader epochs and producer state"
                            + " rebuilt from the batches)",
                    file,
                    unreadable,
                    moved,
                    unreadable);
            return new BrokerStateStore(file, time, StateTables.open(file));
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
        String stamp = Long.toString(nowMs);
        for (int again = 1; taken(dir, name + SET_ASIDE_SUFFIX + stamp); again++) {
            stamp = nowMs + "-" + again; // a rename must never replace an earlier file set aside
        }
        for (Path part : parts) {
            String n = part.getFileName().toString();
            String aside = name + SET_ASIDE_SUFFIX + stamp + n.substring(name.length());
            Files.move(part, dir.resolve(aside), StandardCopyOption.ATOMIC_MOVE);
        }
        DirectorySync.fsync(dir);
        return parts;
    }

    private static boolean taken(Path dir, String prefix) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.anyMatch(p -> p.getFileName().toString().startsWith(prefix));
        }
    }

    /** The persisted state of one partition; absent fields are empty. */
    public record PartitionState(
            OptionalLong recoveryPoint,
            OptionalLong highWatermark,
            OptionalLong logStartOffset,
            long[] leaderEpochs,
            Optional<byte[]> producerSnapshot,
            long producerSnapshotOffset) {}

    private static final PartitionState ABSENT = new PartitionState(
            OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), new long[0], Optional.empty(), -1L);

    private static String key(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    public synchronized PartitionState load(TopicPartition tp) {
        StateTables t = usable();
        if (t == null) {
            return ABSENT;
        }
        String k = key(tp);
        Long snapshotOffset = t.producerSnapshotOffsets().get(k);
        return new PartitionState(
                optional(t.recoveryPoints().get(k)),
                optional(t.highWatermarks().get(k)),
                optional(t.logStartOffsets().get(k)),
                t.leaderEpochs().getOrDefault(k, new long[0]),
                Optional.ofNullable(t.producerSnapshots().get(k)),
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
        StateTables t = usable();
        if (t == null) {
            return; // no file: the partition has no state, which is safe; the next checkpoint stages it again
        }
        String k = key(tp);
        try {
            t.recoveryPoints().put(k, recoveryPoint);
            t.highWatermarks().put(k, highWatermark);
            t.logStartOffsets().put(k, logStartOffset);
            t.leaderEpochs().put(k, epochs);
            if (producerSnapshot != null) {
                t.producerSnapshots().put(k, producerSnapshot);
                t.producerSnapshotOffsets().put(k, producerSnapshotOffset);
            }
        } catch (RuntimeException | IOError | AssertionError e) {
            throw giveUp("staging the state of " + tp, e);
        }
    }

    /** Forgets everything about the partition (topic deletion); durable at the next commit. */
    public synchronized void remove(TopicPartition tp) {
        StateTables t = usable();
        if (t == null) {
            return;
        }
        String k = key(tp);
        try {
            t.recoveryPoints().remove(k);
            t.highWatermarks().remove(k);
            t.logStartOffsets().remove(k);
            t.leaderEpochs().remove(k);
            t.producerSnapshots().remove(k);
            t.producerSnapshotOffsets().remove(k);
            t.cleanerCheckpoints().remove(k);
        } catch (RuntimeException | IOError | AssertionError e) {
            throw giveUp("removing the state of " + tp, e);
        }
    }

    /** The first offset the log cleaner has not yet cleaned in the partition, if it ever cleaned it. */
    public synchronized OptionalLong cleanerCheckpoint(TopicPartition tp) {
        StateTables t = usable();
        return t == null
                ? OptionalLong.empty()
                : optional(t.cleanerCheckpoints().get(key(tp)));
    }

    /** Stages the cleaner checkpoint; durable at the next {@link #commit}. */
    public synchronized void putCleanerCheckpoint(TopicPartition tp, long firstDirtyOffset) {
        StateTables t = usable();
        if (t == null) {
            return;
        }
        try {
            t.cleanerCheckpoints().put(key(tp), firstDirtyOffset);
        } catch (RuntimeException | IOError | AssertionError e) {
            throw giveUp("staging the cleaner checkpoint of " + tp, e);
        }
    }

    public synchronized boolean wasCleanShutdown() {
        StateTables t = usable();
        return t != null && t.cleanShutdown().get();
    }

    /**
     * Sets the flag and commits at once: cleared when the broker starts, set as the very last step of close.
     *
     * @throws KafkaStorageException if the commit failed (the file is given up, see the class comment)
     */
    public synchronized void markCleanShutdown(boolean clean) {
        StateTables t = require("marking the shutdown");
        try {
            t.cleanShutdown().set(clean);
            t.db().commit();
        } catch (RuntimeException | IOError | AssertionError e) {
            throw giveUp("marking the shutdown " + (clean ? "clean" : "unclean"), e);
        }
    }

    /**
     * Makes every staged write durable, atomically.
     *
     * @throws KafkaStorageException if it failed: nothing staged since the last successful commit is durable, and the
     *     file is given up (see the class comment)
     */
    public synchronized void commit() {
        StateTables t = require("committing");
        try {
            t.db().commit();
            commits++;
        } catch (RuntimeException | IOError | AssertionError e) {
            throw giveUp("committing", e);
        }
    }

    /** How many commits this store made since it was opened (each one syncs the file). */
    synchronized long commitCount() {
        return commits;
    }

    /** The open file, creating a fresh one if a failure left none; null if that fails too (it is logged). */
    private StateTables usable() {
        if (tables == null && !closed) {
            try {
                setAside(file, time.milliseconds()); // what a failed set-aside left behind must not be reopened
                tables = StateTables.open(file);
                LOG.warn("Started a fresh broker state file {} after the previous one was given up", file);
            } catch (IOException | RuntimeException | IOError | AssertionError e) {
                LOG.error("Cannot create a fresh broker state file {} yet: {}", file, e.toString());
            }
        }
        return tables;
    }

    private StateTables require(String what) {
        StateTables t = usable();
        if (t == null) {
            throw new KafkaStorageException(
                    (closed ? "The broker state store is closed: " : "No usable broker state file: ") + what + " "
                            + file);
        }
        return t;
    }

    /**
     * After a failed write MapDB can neither commit again nor be trusted to leave a readable file behind: close it,
     * move it aside and start without state (a fresh file is created at the next use).
     */
    private KafkaStorageException giveUp(String what, Throwable failure) {
        StateTables failed = tables;
        tables = null;
        if (failed != null) {
            failed.closeAfterFailure(failure);
        }
        List<Path> moved = List.of();
        try {
            moved = setAside(file, time.milliseconds());
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
        LOG.error(
                "{} the broker state failed ({}); moved {} aside: the logs' state is staged again into a fresh file "
                        + "at the next checkpoint, and a crash before that recovers them from their segments",
                what,
                failure,
                moved,
                failure);
        return new KafkaStorageException("Broker state store: " + what + " failed: " + failure, failure);
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (tables != null && !tables.db().isClosed()) {
            tables.db().close();
        }
    }
}
