package dev.skein.broker.log;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * All partition logs of one broker under one data directory, plus the {@link BrokerStateStore} that checkpoints them.
 *
 * <p>Layout: {@code <dataDir>/broker-state.db} and one {@code <topic>-<partition>/} directory per log.
 * {@link #open} recovers every partition directory it finds with {@link LogConfig#defaults()} until
 * {@link #getOrCreate} or {@link #updateConfig} supplies the topic's real config. It schedules on the given executor:
 * retention every {@code retentionCheckIntervalMs}, the {@code flush.ms} check every {@code flushCheckIntervalMs},
 * and a checkpoint of every log followed by one store commit every {@code stateCommitIntervalMs}; the
 * {@link LogCleaner} compacts logs on its own thread and deletes the segments it replaced on the same executor.
 *
 * <p>Threading: every method may be called from any thread. Durability: {@link #close} flushes every log, commits
 * the checkpoints and marks the shutdown clean; a broker that stops without it recovers its logs on the next open.
 */
public final class LogManager implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(LogManager.class);
    static final String STATE_FILE = "broker-state.db";

    private final Path dataDir;
    private final Time time;
    private final BrokerStateStore store;
    private final GroupCommitFlusher flusher;
    private final boolean recoveredClean;
    private final Map<TopicPartition, PartitionLog> logs;
    /** Topic ids known to be in the logs' {@code partition.metadata} files. */
    private final Map<TopicPartition, Uuid> topicIds = new ConcurrentHashMap<>();

    private final LogCleaner cleaner;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private boolean closed;

    private LogManager(
            Path dataDir,
            Time time,
            BrokerStateStore store,
            GroupCommitFlusher flusher,
            boolean recoveredClean,
            Map<TopicPartition, PartitionLog> logs,
            LogCleaner cleaner) {
        this.dataDir = dataDir;
        this.time = time;
        this.store = store;
        this.flusher = flusher;
        this.recoveredClean = recoveredClean;
        this.logs = logs;
        this.cleaner = cleaner;
    }

    /** Opens the logs with a cleaner that runs only when {@link #cleaner()} is asked to. */
    public static LogManager open(
            Path dataDir,
            Time time,
            ScheduledExecutorService scheduler,
            long retentionCheckIntervalMs,
            long flushCheckIntervalMs,
            long stateCommitIntervalMs)
            throws IOException {
        return open(
                dataDir,
                time,
                scheduler,
                retentionCheckIntervalMs,
                flushCheckIntervalMs,
                stateCommitIntervalMs,
                LogCleaner.Settings.manual());
    }

    public static LogManager open(
            Path dataDir,
            Time time,
            ScheduledExecutorService scheduler,
            long retentionCheckIntervalMs,
            long flushCheckIntervalMs,
            long stateCommitIntervalMs,
            LogCleaner.Settings cleanerSettings)
            throws IOException {
        Files.createDirectories(dataDir);
        BrokerStateStore store = BrokerStateStore.openOrSetAside(dataDir.resolve(STATE_FILE), time);
        GroupCommitFlusher flusher = null;
        Map<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
        try {
            boolean clean = store.wasCleanShutdown();
            flusher = GroupCommitFlusher.start("skein-log-flusher-" + dataDir.getFileName());
            for (TopicPartition tp : partitionDirs(dataDir)) {
                logs.put(tp, PartitionLog.open(dataDir, tp, LogConfig.defaults(), time, store, flusher, clean));
            }
            store.markCleanShutdown(false);
            LOG.info("Opened {} partition logs in {}; previous shutdown marked clean: {}", logs.size(), dataDir, clean);
            LogCleaner cleaner = LogCleaner.start(
                    dataDir.getFileName().toString(),
                    () -> List.copyOf(logs.values()),
                    store,
                    time,
                    scheduler,
                    cleanerSettings);
            LogManager manager = new LogManager(dataDir, time, store, flusher, clean, logs, cleaner);
            manager.schedule(scheduler, retentionCheckIntervalMs, flushCheckIntervalMs, stateCommitIntervalMs);
            return manager;
        } catch (IOException | RuntimeException e) {
            for (PartitionLog log : logs.values()) {
                closeQuietlyOnFailure(log, e);
            }
            if (flusher != null) {
                flusher.close();
            }
            store.close();
            throw e;
        }
    }

    private static void closeQuietlyOnFailure(PartitionLog log, Exception cause) {
        try {
            log.close();
        } catch (IOException | RuntimeException suppressed) {
            cause.addSuppressed(suppressed);
        }
    }

    private void schedule(ScheduledExecutorService scheduler, long retentionMs, long flushMs, long commitMs) {
        tasks.add(
                scheduler.scheduleWithFixedDelay(this::runRetention, retentionMs, retentionMs, TimeUnit.MILLISECONDS));
        tasks.add(scheduler.scheduleWithFixedDelay(this::flushDueLogs, flushMs, flushMs, TimeUnit.MILLISECONDS));
        tasks.add(scheduler.scheduleWithFixedDelay(
                this::checkpointPeriodically, commitMs, commitMs, TimeUnit.MILLISECONDS));
    }

    /** Partition directories are {@code <topic>-<partition>}; the topic itself may contain dashes. */
    private static List<TopicPartition> partitionDirs(Path dataDir) throws IOException {
        try (Stream<Path> entries = Files.list(dataDir)) {
            return entries.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.matches(".+-\\d+"))
                    .map(n -> {
                        int dash = n.lastIndexOf('-');
                        return new TopicPartition(n.substring(0, dash), Integer.parseInt(n.substring(dash + 1)));
                    })
                    .toList();
        }
    }

    /** Whether the previous shutdown was clean (before this open cleared the flag). */
    public boolean recoveredFromCleanShutdown() {
        return recoveredClean;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The compaction of this broker's {@code compact} logs. */
    public LogCleaner cleaner() {
        return cleaner;
    }

    /** The log of {@code tp}, created empty if absent; an existing log takes {@code config}. */
    public PartitionLog getOrCreate(TopicPartition tp, LogConfig config) throws IOException {
        try {
            return logs.compute(tp, (k, existing) -> {
                if (existing != null) {
                    existing.updateConfig(config);
                    return existing;
                }
                try {
                    return PartitionLog.open(dataDir, tp, config, time, store, flusher, true);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * The log of {@code tp} as a partition of the topic with id {@code topicId} (stored in the directory's
     * {@code partition.metadata}, see {@link PartitionMetadataFile}), created empty if absent. A log whose directory
     * names another topic id belongs to an earlier topic of the same name, deleted and re-created while this broker
     * was away: it is deleted and replaced by an empty log, as Kafka does. A directory without the file (written by
     * an older version) is adopted.
     */
    public synchronized PartitionLog getOrCreate(TopicPartition tp, LogConfig config, Uuid topicId) throws IOException {
        PartitionLog existing = logs.get(tp);
        if (existing != null && !topicId.equals(topicIds.get(tp))) {
            Optional<Uuid> stored = PartitionMetadataFile.read(existing.dir());
            if (stored.isPresent() && !stored.get().equals(topicId)) {
                LOG.warn(
                        "Deleting the log of {} ({} records): it belongs to topic id {}, not to the current topic id"
                                + " {} (the topic was deleted and re-created)",
                        tp,
                        existing.logEndOffset() - existing.logStartOffset(),
                        stored.get(),
                        topicId);
                delete(tp);
            } else if (stored.isPresent()) {
                topicIds.put(tp, topicId);
            }
        }
        PartitionLog log = getOrCreate(tp, config);
        if (!topicId.equals(topicIds.get(tp))) {
            PartitionMetadataFile.write(log.dir(), topicId);
            topicIds.put(tp, topicId);
        }
        return log;
    }

    public Optional<PartitionLog> get(TopicPartition tp) {
        return Optional.ofNullable(logs.get(tp));
    }

    public Collection<PartitionLog> logs() {
        return List.copyOf(logs.values());
    }

    /** Applies a topic's new config to each of its partition logs. */
    public void updateConfig(String topic, LogConfig config) {
        for (PartitionLog log : logs.values()) {
            if (log.topicPartition().topic().equals(topic)) {
                log.updateConfig(config);
            }
        }
    }

    /** The store the logs checkpoint into (for tests of this package). */
    BrokerStateStore stateStore() {
        return store;
    }

    /** Closes the log, removes its directory and forgets its checkpointed state. */
    public void delete(TopicPartition tp) throws IOException {
        delete(List.of(tp));
    }

    /**
     * Closes the logs, removes their directories and forgets their checkpointed state in one store commit (a commit
     * syncs the state file: one per partition made deleting a topic of thousands of partitions take minutes).
     */
    public void delete(Collection<TopicPartition> partitions) throws IOException {
        boolean removed = false;
        try {
            for (TopicPartition tp : partitions) {
                topicIds.remove(tp);
                PartitionLog log = logs.remove(tp);
                if (log != null) {
                    log.deleteFiles();
                    store.remove(tp);
                    removed = true;
                }
            }
        } finally {
            if (removed) {
                store.commit();
            }
        }
    }

    /** One retention pass over every log. */
    public void runRetention() {
        for (PartitionLog log : logs.values()) {
            int deleted = log.deleteOldSegments();
            if (deleted > 0) {
                LOG.info(
                        "{}: retention deleted {} segments, log start offset now {}",
                        log.topicPartition(),
                        deleted,
                        log.logStartOffset());
            }
        }
    }

    private void flushDueLogs() {
        for (PartitionLog log : logs.values()) {
            if (log.isOffline()) {
                continue;
            }
            try {
                log.flushIfDue();
            } catch (KafkaStorageException e) {
                // That log is now offline; the periodic task must go on for the others.
                LOG.error("{}", e.getMessage(), e);
            }
        }
    }

    /** Stages every log's checkpoint and commits them to the store in one transaction. */
    public void checkpoint() {
        for (PartitionLog log : logs.values()) {
            log.checkpoint(store);
        }
        store.commit();
    }

    /**
     * The periodic checkpoint. A failed one (the store gave its file up and logged why, see {@link BrokerStateStore})
     * must not end the periodic task, as an exception would: the next run stages every log into a fresh file.
     */
    private void checkpointPeriodically() {
        try {
            checkpoint();
        } catch (KafkaStorageException e) {
            LOG.warn("State checkpoint of {} failed, retried in the next period: {}", dataDir, e.getMessage());
        }
    }

    /** Flushes every log, checkpoints, marks the shutdown clean and closes the store. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        tasks.forEach(t -> t.cancel(false));
        cleaner.close();
        flusher.close();
        IOException failure = null;
        KafkaStorageException stateFailure = null;
        for (PartitionLog log : logs.values()) {
            try {
                log.close();
                log.checkpoint(store);
            } catch (IOException e) {
                failure = e;
            } catch (KafkaStorageException e) {
                stateFailure = e; // the store gave its file up: the shutdown cannot be marked clean
            }
        }
        try {
            if (stateFailure == null) {
                store.commit();
            }
            if (failure == null && stateFailure == null) {
                store.markCleanShutdown(true);
            }
        } finally {
            store.close();
        }
        if (failure != null) {
            throw new UncheckedIOException("Closing the logs in " + dataDir + " failed", failure);
        }
        if (stateFailure != null) {
            throw stateFailure;
        }
    }
}
