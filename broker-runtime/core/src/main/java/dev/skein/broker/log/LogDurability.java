package dev.skein.broker.log;

import dev.skein.broker.log.LocalLog.LogEnd;
import java.io.IOException;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;

/**
 * When the bytes of one partition log reach the disk, and what is known to be there: the single durability policy of
 * a {@link PartitionLog}. Its three triggers — {@code flush.messages} after an append ({@link #afterAppend}),
 * {@code flush.ms} from the scheduler ({@link #flushIfDue}) and a durable ack from the group-commit flusher
 * ({@link #sync} with {@link Scope#ACKED_RECORDS}) — all end in one {@link #sync}.
 *
 * <p>Two offsets come out of it: the <b>recovery point</b>, below which segments and indexes are on disk (recovery
 * after a crash scans from there), and the <b>durable offset</b> (>= recovery point), below which the record bytes
 * are on disk (what durable acks wait for).
 *
 * <p>Threading: {@link #sync} runs under the flush lock ({@link #lock}), which {@link PartitionLog} also takes around
 * every change of the segment list other than a roll, so no fsync runs over a segment being deleted or swapped. A
 * sync may run concurrently with appends: it covers the log end it read first. The offsets are volatile; any thread
 * may read them. {@link #truncatedTo} and {@link #restartedAt} are called by the log's writer holding the flush lock.
 */
final class LogDurability {
    /** What one {@link #sync} makes durable. */
    enum Scope {
        /** Every segment above the recovery point, records and indexes: the recovery point moves to the log end. */
        WHOLE_LOG,
        /**
         * The records up to the log end at the cost of one {@code fdatasync} of the active segment's {@code .log}
         * file in the common case: segments that became inactive since the recovery point are flushed whole, the
         * active one only its records (see {@link LogSegment#flushRecords}). The recovery point then advances to the
         * active segment's base offset, so after a crash recovery scans (and re-indexes) just the active segment,
         * while everything acknowledged as durable is already on disk.
         */
        ACKED_RECORDS
    }

    private final TopicPartition topicPartition;
    private final Time time;
    private final LocalLog local;
    private final Object lock = new Object();
    private volatile long recoveryPoint;
    /** Offset below which the record bytes are on disk (>= recoveryPoint): what durable acks wait for. */
    private volatile long durableOffset;

    private volatile long lastFlushMs;
    /**
     * Set when an fsync failed: the OS may have dropped the dirty pages it could not write, so what reads back may
     * not be on disk. As Kafka takes the log directory offline, the log then refuses appends, reads and truncation
     * with {@link KafkaStorageException} until the broker restarts and recovers it from what is really on disk.
     */
    private volatile KafkaStorageException offline;

    LogDurability(TopicPartition topicPartition, Time time, LocalLog local, long recoveryPoint) {
        this.topicPartition = topicPartition;
        this.time = time;
        this.local = local;
        this.recoveryPoint = recoveryPoint;
        this.durableOffset = recoveryPoint;
        this.lastFlushMs = time.milliseconds();
    }

    /** The flush lock: held by every sync and by the log's writer while it changes the segment list. */
    Object lock() {
        return lock;
    }

    long recoveryPoint() {
        return recoveryPoint;
    }

    long durableOffset() {
        return durableOffset;
    }

    /** {@code flush.messages}: flushes the whole log once that many messages are above the recovery point. */
    void afterAppend(LogConfig cfg) {
        if (local.logEndOffset() - recoveryPoint >= cfg.flushMessages()) {
            sync(Scope.WHOLE_LOG);
        }
    }

    /** {@code flush.ms}: flushes when that long has passed since the last flush and there is unflushed data. */
    void flushIfDue(LogConfig cfg) {
        long flushMs = cfg.flushMs();
        if (local.logEndOffset() > recoveryPoint && time.milliseconds() - lastFlushMs >= flushMs) {
            sync(Scope.WHOLE_LOG);
        }
    }

    /**
     * Makes everything up to the log end read first durable, as {@code scope} says. A failed fsync takes the log
     * offline (see {@link #offline}).
     */
    void sync(Scope scope) {
        boolean wholeLog = scope == Scope.WHOLE_LOG;
        synchronized (lock) {
            LogEnd end = local.end();
            if (end.offset() <= (wholeLog ? recoveryPoint : durableOffset)) {
                if (wholeLog) {
                    lastFlushMs = time.milliseconds();
                }
                return;
            }
            List<LogSegment> segs = local.segments().list();
            try {
                for (int i = LogSegments.floorIndex(segs, recoveryPoint); i < segs.size(); i++) {
                    LogSegment segment = segs.get(i);
                    if (!wholeLog && segment == end.segment()) {
                        segment.flushRecords();
                    } else {
                        segment.flush();
                    }
                }
            } catch (IOException e) {
                throw goOffline("fsync", e);
            }
            durableOffset = Math.max(durableOffset, end.offset());
            if (wholeLog) {
                recoveryPoint = end.offset();
                lastFlushMs = time.milliseconds();
            } else {
                recoveryPoint = Math.max(recoveryPoint, end.segment().baseOffset());
            }
        }
    }

    /** The log was truncated to {@code logEnd}: nothing above it is on disk any more. */
    void truncatedTo(long logEnd) {
        recoveryPoint = Math.min(recoveryPoint, logEnd);
        durableOffset = Math.min(durableOffset, logEnd);
    }

    /** The log was emptied and restarted at {@code offset}. */
    void restartedAt(long offset) {
        recoveryPoint = offset;
        durableOffset = offset;
    }

    private KafkaStorageException goOffline(String what, IOException cause) {
        KafkaStorageException failure = new KafkaStorageException(
                what + " of " + topicPartition + " failed; the log is offline until the broker restarts: " + cause,
                cause);
        offline = failure;
        return failure;
    }

    /** Throws the fsync failure that took the log offline, if any. */
    void checkOnline() {
        KafkaStorageException failure = offline;
        if (failure != null) {
            throw new KafkaStorageException(failure.getMessage(), failure);
        }
    }

    boolean isOffline() {
        return offline != null;
    }
}
