package dev.skein.broker.log;

import dev.skein.broker.txn.ProducerEntry;
import dev.skein.broker.txn.ProducerStateManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.record.internal.FileRecords.TimestampAndOffset;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;

/**
 * The log of one partition: the façade (Kafka's {@code UnifiedLog}) over its bytes ({@link LocalLog}, a directory
 * {@code <topic>-<partition>/} of {@link LogSegments}), its durability ({@link LogDurability}), producer state,
 * leader-epoch history and high watermark.
 *
 * <p>Appends go through {@link LogAppender} (offsets, producer state, transaction and epoch bookkeeping).
 *
 * <p>Threading: one writer at a time — the appends (markers included), {@link #truncateTo}, {@link #restartAt}, the
 * retention and DeleteRecords deletions, the cleaner swap and {@link #updateHighWatermark} are synchronized on the log
 * (its writer lock); those that change the segment list other than by a roll also hold the flush lock. The
 * transaction state ({@link TransactionState}: last stable offset, aborted-transaction index and its {@code .txnindex}
 * files, verification guards) is mutated only under the writer lock. Readers ({@link #read}, the offset lookups,
 * {@link #lastStableOffset}, {@link #abortedTransactions}, the getters) take no lock (see {@link LocalLog}).
 * {@link #flush} takes only the flush lock and may run concurrently with appends.
 *
 * <p>Durability: an append is in the OS page cache when {@link #append} returns; it is on disk once a {@link #flush}
 * started after it returns (see {@link #awaitDurable} for group commit), after which the recovery point covers it.
 * {@code flush.messages} and {@code flush.ms} trigger flushes as in Kafka (see {@link LogDurability}).
 *
 * <p>Size: over 500 lines as the one façade (~50 short entry points with contracts) over the classes named above.
 */
public final class PartitionLog {
    private final TopicPartition topicPartition;
    private final Time time;
    private final GroupCommitFlusher flusher;
    private final BrokerStateStore store;
    private final LeaderEpochCache epochs;
    private final ProducerStateManager producers;
    private final TransactionState txns;
    private final RecoveryResult recoveryResult;
    private final LocalLog local;
    private final LogDurability durability;
    private final LogAppender appender;
    private volatile LogConfig config;
    private volatile long highWatermark;
    /** Set by {@link #close} and {@link #deleteFiles} (under the log lock); appends are refused afterwards. */
    private boolean closed;

    public record AppendResult(
            long firstOffset, long lastOffset, long logAppendTime, long logStartOffset, boolean duplicate) {}

    /**
     * What {@link #read} returns.
     *
     * @param records whole batches of one segment (sent zero-copy)
     * @param firstOffset base offset of the first batch, or the fetch offset when empty
     * @param endOffset exclusive bound on the offsets of {@code records}: the base offset of the next batch, or the
     *     read limit, or the segment's end, whichever comes first (the fetch offset when empty). A
     *     {@code read_committed} fetch returns the aborted transactions of {@code [fetchOffset, endOffset)}.
     */
    public record FetchSlice(Records records, long firstOffset, long endOffset) {}

    public record EpochEndOffset(int epoch, long endOffset) {}

    private PartitionLog(
            TopicPartition topicPartition,
            Path dir,
            Time time,
            GroupCommitFlusher flusher,
            BrokerStateStore store,
            LogConfig config,
            LogRecovery.LoadedLog loaded) {
        this.topicPartition = topicPartition;
        this.time = time;
        this.flusher = flusher;
        this.store = store;
        this.config = config;
        this.epochs = loaded.epochs();
        this.producers = loaded.producers();
        this.txns = new TransactionState(producers);
        txns.restore(loaded.abortedTxns(), loaded.unreplicatedTxns());
        this.recoveryResult = loaded.result();
        this.local = new LocalLog(topicPartition, dir, time, loaded.segments(), loaded.logStartOffset());
        this.durability = new LogDurability(topicPartition, time, local, loaded.recoveryPoint());
        this.highWatermark = loaded.highWatermark();
        this.appender = new LogAppender(this, topicPartition, local, epochs, producers, txns, durability);
    }

    /** Directory name of a partition: {@code <topic>-<partition>}. */
    static String dirName(TopicPartition tp) {
        return tp.topic() + "-" + tp.partition();
    }

    /**
     * Opens the partition directory under {@code dataDir}, creating it if absent, and recovers it (see
     * {@link LogRecovery}) using the state persisted in {@code store}.
     */
    static PartitionLog open(
            Path dataDir,
            TopicPartition tp,
            LogConfig config,
            Time time,
            BrokerStateStore store,
            GroupCommitFlusher flusher,
            boolean cleanShutdown)
            throws IOException {
        Path dir = dataDir.resolve(dirName(tp));
        LogRecovery.LoadedLog loaded = LogRecovery.load(dir, tp, config, time, store.load(tp), cleanShutdown);
        return new PartitionLog(tp, dir, time, flusher, store, config, loaded);
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public LogConfig config() {
        return config;
    }

    void updateConfig(LogConfig newConfig) {
        this.config = newConfig;
    }

    /**
     * Forgets idempotent producers whose last write is {@code expirationMs} old or more and that have no open
     * transaction ({@code producer.id.expiration.ms}); returns how many were forgotten.
     */
    public synchronized int removeExpiredProducers(long expirationMs) {
        return producers.removeExpiredProducers(expirationMs);
    }

    /** A copy of this partition's state for {@code producerId}, if it has any. */
    public synchronized Optional<ProducerEntry> producerEntry(long producerId) {
        return producers.entry(producerId);
    }

    /** What opening this log had to repair. */
    public RecoveryResult recoveryResult() {
        return recoveryResult;
    }

    /**
     * Validates a producer's records for this partition as Kafka does and stricter (see {@link AppendValidator}),
     * then appends them like {@link #append}. Nothing is written when validation fails.
     *
     * @throws org.apache.kafka.common.errors.ApiException with the error code the producer gets
     */
    public synchronized AppendResult appendFromClient(MemoryRecords records, int leaderEpoch) {
        return appendFromClient(records, leaderEpoch, null);
    }

    /**
     * Like {@link #appendFromClient(MemoryRecords, int)} for records sent by the client at {@code client} (null if
     * unknown), which idempotent producer epochs are bound to ({@link ProducerStateManager}).
     */
    public synchronized AppendResult appendFromClient(MemoryRecords records, int leaderEpoch, InetAddress client) {
        return appendFromClient(records, leaderEpoch, client, null);
    }

    /**
     * Like {@link #appendFromClient(MemoryRecords, int, InetAddress)}; a transactional batch whose producer has no
     * transaction open here at its epoch must present the {@code verificationGuard} taken before the transaction
     * coordinator verified it ({@link #transactionVerificationGuard}), else INVALID_TXN_STATE.
     */
    public synchronized AppendResult appendFromClient(
            MemoryRecords records, int leaderEpoch, InetAddress client, Object verificationGuard) {
        ensureOpen();
        checkOnline();
        LogConfig cfg = config;
        long now = time.milliseconds();
        MutableRecordBatch batch = AppendValidator.validateClientBatch(records, cfg, now);
        txns.checkClientBatch(batch, verificationGuard);
        return appender.append(records, List.of(batch), leaderEpoch, cfg, now, client);
    }

    /**
     * Validates the structure of batches the broker wrote itself (the group coordinator's records) and appends them as
     * one write: offsets are assigned by rewriting each batch's base offset, the leader epoch is stamped, and for
     * LogAppendTime topics the max timestamp is set to now. A batch that repeats a recent batch of the same idempotent
     * producer appends nothing and returns the original offsets with {@code duplicate = true}.
     */
    public synchronized AppendResult append(MemoryRecords records, int leaderEpoch) {
        ensureOpen();
        checkOnline();
        LogConfig cfg = config;
        AppendValidator.ValidBatches valid = AppendValidator.validate(records, cfg.maxMessageBytes());
        return appender.append(records, valid.batches(), leaderEpoch, cfg, time.milliseconds(), null);
    }

    /**
     * Appends batches fetched from the leader as they are: offsets, leader epochs and timestamps are kept. Each batch
     * is validated like a produce batch and must start at or after the current log end, in increasing order.
     */
    public synchronized AppendResult appendAsFollower(MemoryRecords records) {
        ensureOpen();
        checkOnline();
        return appender.appendAsFollower(records, config, time.milliseconds());
    }

    /**
     * Batches from the one containing {@code fetchOffset}: whole batches only, at most {@code maxBytes} in total
     * (but the whole first batch when {@code minOneMessage}), none whose base offset is >= {@code maxOffsetExclusive}.
     *
     * <p>Returns a slice of one segment (the caller reads on from the next offset); the slice stays valid until
     * retention or truncation deletes that segment.
     *
     * @throws OffsetOutOfRangeException if {@code fetchOffset} is below the log start or above the log end
     */
    public FetchSlice read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneMessage) {
        checkOnline();
        return local.read(fetchOffset, maxBytes, maxOffsetExclusive, minOneMessage);
    }

    /**
     * Where the batch holding {@code offset} starts, found through the offset index and batch headers without reading
     * records; empty when {@code offset} is outside the log. For {@link #bytesAvailable}.
     */
    public Optional<LogPosition> positionOf(long offset) {
        return Optional.ofNullable(local.positionOf(offset));
    }

    /**
     * Estimated bytes from {@code from} up to {@code toOffset} (the log end or the high watermark), from positions and
     * segment sizes only: no record is read, so a parked fetch may call it on every change (Kafka's
     * {@code DelayedFetch} estimate). {@link Long#MAX_VALUE} when {@code from} no longer lies in the log.
     */
    public long bytesAvailable(LogPosition from, long toOffset) {
        return local.bytesAvailable(from, toOffset);
    }

    public long logStartOffset() {
        return local.logStartOffset();
    }

    public long logEndOffset() {
        return local.logEndOffset();
    }

    public long highWatermark() {
        return highWatermark;
    }

    /**
     * Sets the high watermark, clamped to [log start offset, log end offset].
     *
     * <p>Who may call it: the owner of the partition's leadership state — {@code Partition}, holding its own monitor
     * inside its leader/ISR read or write lock, so that HW moves are ordered with the follower bookkeeping they derive
     * from — and code that owns the log outright (tests, tools) before it is shared. It takes the log's monitor, the
     * lock every append, truncation and log-start move holds, so the clamp is atomic with respect to them: a
     * concurrent truncation can never leave the high watermark above the log end, nor retention leave it below the
     * log start. Readers see the new value through a volatile field without locking.
     */
    public synchronized void updateHighWatermark(long hw) {
        highWatermark = Math.max(logStartOffset(), Math.min(hw, logEndOffset()));
        txns.onHighWatermark(highWatermark);
    }

    /**
     * The last stable offset: {@code min(first unstable offset, high watermark)}, where the first unstable offset is
     * the first offset of the oldest transaction still open or whose marker is not yet below the high watermark.
     * What {@code read_committed} consumers may read up to. Lock-free.
     */
    public long lastStableOffset() {
        return txns.lastStableOffset(highWatermark);
    }

    /** The aborted transactions with records in {@code [from, to)}, for a {@code read_committed} fetch. */
    public List<FetchResponseData.AbortedTransaction> abortedTransactions(long from, long to) {
        return txns.abortedTransactions(from, to);
    }

    /** The aborted-transaction index, oldest first (for tests and tools). */
    public List<AbortedTxn> abortedTxns() {
        return txns.abortedTxns();
    }

    /**
     * Takes the verification guard for the first transactional batch of {@code producerId} at {@code epoch}, before
     * the transaction coordinator is asked (KIP-890); null when the producer's transaction is open here already and
     * no verification is needed. See {@link TransactionState}.
     */
    public synchronized Object transactionVerificationGuard(long producerId, short epoch) {
        return txns.verificationGuard(producerId, epoch);
    }

    /**
     * Appends the transaction marker the coordinator sent (WriteTxnMarkers) as a control batch, as leader of
     * {@code leaderEpoch}: fenced like a producer batch by producer epoch, and by coordinator epoch (see
     * {@link ProducerStateManager}). A marker for a producer without an open transaction here is written too.
     */
    public synchronized AppendResult appendMarker(
            long producerId, short producerEpoch, int coordinatorEpoch, boolean commit, int leaderEpoch) {
        return append(
                TransactionState.markerRecords(
                        time.milliseconds(), producerId, producerEpoch, coordinatorEpoch, commit),
                leaderEpoch);
    }

    /** Every producer this partition knows, detached copies (DescribeProducers). */
    public synchronized List<ProducerEntry> producerEntries() {
        return producers.entries();
    }

    long recoveryPoint() {
        return durability.recoveryPoint();
    }

    /** Offset below which the record bytes are known to be on disk; at least {@link #recoveryPoint()}. */
    long durableOffset() {
        return durability.durableOffset();
    }

    /** First offset whose record timestamp is >= {@code timestamp}, with the leader epoch of its batch. */
    public Optional<TimestampAndOffset> offsetForTimestamp(long timestamp) {
        return local.offsetForTimestamp(timestamp);
    }

    /** The offset of the record with the largest timestamp (ListOffsets {@code MAX_TIMESTAMP}), if any record. */
    public Optional<TimestampAndOffset> maxTimestampOffset() {
        LogSegment best = local.segments().maxTimestampSegment();
        if (best == null) {
            return Optional.empty();
        }
        long offset = best.offsetOfMaxTimestamp();
        int epoch = epochs.epochForOffset(offset);
        return Optional.of(
                new TimestampAndOffset(best.maxTimestamp(), offset, epoch < 0 ? Optional.empty() : Optional.of(epoch)));
    }

    public OptionalInt latestEpoch() {
        return epochs.latestEpoch();
    }

    /** OffsetForLeaderEpoch: the largest epoch <= {@code epoch} and its end offset; {@code (-1, -1)} if unknown. */
    public EpochEndOffset endOffsetForEpoch(int epoch) {
        return epochs.endOffsetFor(epoch, logEndOffset());
    }

    long[] epochPairs() {
        return epochs.toPairs();
    }

    /**
     * Removes every batch from the one containing {@code offset} on, with the epochs and producer state they created.
     * Below the log start the whole log is dropped and restarted at {@code offset}. Durable when it returns, state
     * store included (see {@link #persistTruncation}).
     */
    public synchronized void truncateTo(long offset) {
        checkOnline();
        if (offset >= logEndOffset()) {
            return;
        }
        synchronized (durability.lock()) {
            try {
                LogSegment active = local.truncateTo(offset, config);
                long leo = active.nextOffset();
                epochs.truncateFromEnd(leo);
                txns.truncateFrom(leo);
                txns.rewriteFile(local.dir(), active.baseOffset(), leo);
                highWatermark = Math.min(highWatermark, leo);
                durability.truncatedTo(leo);
                persistTruncation(active);
                TruncationCrashPoint.afterTruncationCommitted(topicPartition, leo);
            } catch (IOException e) {
                throw new UncheckedIOException("Truncating " + topicPartition + " to " + offset + " failed", e);
            }
        }
    }

    /**
     * Makes a truncation durable before anything is appended after it: the cut segment is fsynced (so a crash cannot
     * bring the removed batches back from the page cache's view of the file) and the epochs, producer state and
     * recovery point that went with them are committed to the state store. Otherwise a crash within the commit
     * interval would restore the old producer snapshot and epochs over new records at the same offsets: a retry of
     * a truncated idempotent batch would then be acknowledged as a duplicate that is not in the log.
     */
    private void persistTruncation(LogSegment active) throws IOException {
        active.flush();
        DirectorySync.fsync(local.dir());
        checkpoint(store);
        store.commit();
    }

    /**
     * Drops the whole log, its epochs and producer state, and starts it empty at {@code offset}: for a follower whose
     * log end is below its leader's log start (the leader deleted what the follower would fetch next).
     */
    public synchronized void restartAt(long offset) {
        synchronized (durability.lock()) {
            try {
                LogSegment active = local.restartAt(offset, config);
                epochs.truncateFromEnd(Long.MIN_VALUE);
                txns.truncateFrom(Long.MIN_VALUE);
                highWatermark = offset;
                durability.restartedAt(offset);
                persistTruncation(active);
            } catch (IOException e) {
                throw new UncheckedIOException("Restarting " + topicPartition + " at " + offset + " failed", e);
            }
        }
    }

    private void checkOnline() {
        durability.checkOnline();
    }

    /** Whether an fsync of this log failed (see {@link LogDurability}). */
    public boolean isOffline() {
        return durability.isOffline();
    }

    /** Fsyncs every segment holding data above the recovery point, then advances it to the log end read first. */
    public void flush() {
        durability.sync(LogDurability.Scope.WHOLE_LOG);
    }

    /**
     * Makes every record up to the log end read first durable at the cost of one {@code fdatasync} in the common case
     * (see {@link LogDurability.Scope#ACKED_RECORDS}): what the group-commit flusher calls.
     */
    void flushForDurability() {
        durability.sync(LogDurability.Scope.ACKED_RECORDS);
    }

    /** Flushes when {@code flush.ms} has passed since the last flush and there is unflushed data. */
    void flushIfDue() {
        durability.flushIfDue(config);
    }

    /**
     * The flush lock every fsync of this log takes (see {@link LogDurability#lock}). For tests only: holding it holds
     * back the group-commit fsync, so what must wait for durability can be observed waiting.
     */
    Object flushLockForTests() {
        return durability.lock();
    }

    /** Completes once an fsync covers {@code offset} (group commit, see {@link GroupCommitFlusher}). */
    public CompletableFuture<Void> awaitDurable(long offset) {
        return flusher.await(this, offset);
    }

    /**
     * Deletes the oldest non-active segments that are fully below the high watermark and either older than
     * {@code retention.ms} (by their largest record timestamp) or not needed to stay within {@code retention.bytes}.
     * Advances the log start offset to the new first segment. Returns the number of segments deleted.
     */
    public synchronized int deleteOldSegments() {
        LogConfig cfg = config;
        List<LogSegment> list = local.segments().list();
        int deletable = RetentionPolicy.deletableSegments(list, cfg, time.milliseconds(), highWatermark);
        if (deletable == 0) {
            return 0;
        }
        synchronized (durability.lock()) {
            local.deleteOldest(deletable, epochs::truncateFromStart);
        }
        txns.onLogStart(logStartOffset());
        return deletable;
    }

    /**
     * Moves the log start offset up to {@code offset} (DeleteRecords): records below it are no longer readable and
     * whole segments that lie entirely below it are deleted. The new start is checkpointed with the recovery points.
     * Returns the log start offset afterwards.
     *
     * @throws OffsetOutOfRangeException if {@code offset} is above the high watermark
     */
    public synchronized long deleteRecordsBefore(long offset) {
        if (offset > highWatermark) {
            throw new OffsetOutOfRangeException("Cannot delete records of " + topicPartition + " before offset "
                    + offset + ": it is above the high watermark " + highWatermark);
        }
        if (offset <= logStartOffset()) {
            return logStartOffset();
        }
        synchronized (durability.lock()) {
            local.deleteRecordsBefore(offset, epochs::truncateFromStart);
        }
        txns.onLogStart(logStartOffset());
        return logStartOffset();
    }

    /** The published segment list (immutable), oldest first; the last one is the active segment. */
    List<LogSegment> segments() {
        return local.segments().list();
    }

    Path dir() {
        return local.dir();
    }

    /**
     * Replaces {@code old}, a run of consecutive closed segments, by the cleaned segment the {@link LogCleaner} wrote
     * as {@code .cleaned} files at {@code old}'s base offset, following {@link SegmentSwap}. Appends and truncation
     * wait for the few renames this takes; readers do not: they keep using the segment list they read, whose old
     * segments stay readable (renamed, channel open) until the caller passes the returned segments to
     * {@link LogSegment#deleteRetired} after {@code file.delete.delay.ms}.
     *
     * <p>Returns empty, and discards the cleaned files, when the run is no longer in the log as it was (retention or
     * truncation removed part of it while it was being cleaned).
     */
    synchronized Optional<List<LogSegment>> replaceSegments(List<LogSegment> old) throws IOException {
        return replaceSegments(old, Set.of());
    }

    /**
     * Like {@link #replaceSegments(List)}; the cleaned segment no longer holds the ABORT markers at
     * {@code removedAbortMarkers} (their transactions have no batch left), so their aborted-transaction index entries
     * go too: a consumer must not treat a later transaction of the same producer as aborted.
     */
    synchronized Optional<List<LogSegment>> replaceSegments(List<LogSegment> old, Set<Long> removedAbortMarkers)
            throws IOException {
        int first = local.indexOfRun(old);
        if (first < 0) {
            SegmentSwap.discardCleaned(local.dir(), old.get(0).baseOffset());
            return Optional.empty();
        }
        synchronized (durability.lock()) {
            local.replaceSegments(old, first, config);
        }
        txns.removeAborted(removedAbortMarkers);
        // The retired segments took the transaction index of the run's base offset with them.
        txns.rewriteFile(
                local.dir(), old.get(0).baseOffset(), old.get(old.size() - 1).nextOffset());
        return Optional.of(List.copyOf(old));
    }

    public long sizeInBytes() {
        return local.segments().sizeInBytes();
    }

    public int numberOfSegments() {
        return local.segments().size();
    }

    /** Stages this log's recovery point, high watermark, epochs and producer snapshot in {@code store}. */
    synchronized void checkpoint(BrokerStateStore store) {
        store.put(
                topicPartition,
                recoveryPoint(),
                highWatermark,
                logStartOffset(),
                epochs.toPairs(),
                producers.snapshot(),
                logEndOffset());
    }

    /**
     * A request may still hold this log after its partition was deleted or moved and the log closed; appending then
     * would write segments and memory-mapped indexes that are closed (unmapped memory: the JVM crashes).
     */
    private void ensureOpen() {
        if (closed) {
            throw new NotLeaderOrFollowerException("The log of " + topicPartition + " is closed");
        }
    }

    /** Flushes and closes every segment; the log is unusable afterwards (appends are refused). */
    synchronized void close() throws IOException {
        closed = true;
        if (!isOffline()) {
            // An offline log is not flushed again: the next start recovers it from what is really on disk.
            flush();
        }
        synchronized (durability.lock()) {
            local.closeSegments();
        }
    }

    /** Closes the segments and removes the partition directory. */
    synchronized void deleteFiles() throws IOException {
        closed = true;
        synchronized (durability.lock()) {
            local.deleteDirectory();
        }
    }

    @Override
    public String toString() {
        return "PartitionLog(" + topicPartition + ", " + logStartOffset() + ".." + logEndOffset() + ")";
    }
}
