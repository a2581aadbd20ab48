package dev.skein.broker.partition;

import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.log.PartitionLog;
import dev.skein.broker.log.PartitionLog.AppendResult;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition hosted by this broker: its log plus the leadership state last read from ZooKeeper.
 *
 * <p><b>As leader</b> it accepts appends, tracks each follower's log end offset from the offsets of its fetches, and
 * advances the high watermark to the smallest log end offset over the <em>maximal</em> ISR: the ISR in ZooKeeper
 * together with the ISR this leader last wrote there but has not yet seen come back ({@link #isrChangeSent}), as
 * Kafka's {@code maximalIsr}. So a replica another broker may already read as in-sync always holds everything below
 * the high watermark. It proposes ISR changes ({@link #proposedIsr}): a follower leaves when it has not been caught
 * up for {@code replica.lag.time.max.ms}, and joins when its log end reaches the high watermark and the start of the
 * current leader epoch and it was caught up within that time. <b>As follower</b> it appends what the replica fetcher
 * brought ({@link #appendAsFollower}) and takes the leader's high watermark, capped at its own log end.
 *
 * <p>A state stamped with an older controller epoch than the one applied last is ignored: it was written by a
 * controller that has since been replaced.
 *
 * <p>Locking (Kafka's {@code leaderIsrUpdateLock}): appends as leader, follower appends and truncations hold the
 * read lock of one partition-level read/write lock for their whole duration, and applying a new state (becoming
 * leader or follower, a new epoch or ISR) holds its write lock. So a leader append that is stuck behind the log's
 * own lock (a checkpoint, a flush) finishes with the epoch it checked before the broker becomes a follower, and the
 * follower's truncation, which comes after, removes it; it can never land on the follower's log afterwards. Follower
 * bookkeeping is serialised on this object, taken inside the read or write lock. Listeners ({@code onChange}) are
 * called after both are released.
 *
 * <p>Size: over 500 lines so that every path taking the leader/ISR lock above stays in the one class that owns it.
 */
public final class Partition {
    private static final Logger logger = LoggerFactory.getLogger(Partition.class);

    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final PartitionLog log;
    private final int localBrokerId;
    private final Time time;
    private final Consumer<TopicPartition> onChange;
    private final Consumer<TopicPartition> onLogEnd;
    private final BooleanSupplier metadataSessionLive;
    private final ReentrantReadWriteLock leaderIsrUpdateLock = new ReentrantReadWriteLock();
    private final Map<Integer, FollowerPosition> followers = new HashMap<>();
    private volatile PartitionState state;
    /** The ISR this leader wrote to ZooKeeper on top of {@link #state}, until a newer state arrives; or null. */
    private volatile List<Integer> pendingIsr;

    private long leaderSinceMs;
    private volatile long leaderEpochStartOffset;

    /** A proposed ISR and the state it replaces (whose zkVersion the write is conditional on). */
    public record IsrChange(PartitionState from, List<Integer> isr) {}

    /** What an append as leader wrote, and the leader epoch it was written under (which acks=all must still hold). */
    public record LeaderAppend(AppendResult result, int leaderEpoch) {}

    /** What the leader knows about a follower from its last fetch. */
    private record FollowerPosition(
            long logEndOffset, long lastCaughtUpMs, long lastFetchLeaderEnd, long lastFetchMs) {}

    Partition(
            TopicPartition topicPartition,
            Uuid topicId,
            PartitionLog log,
            int localBrokerId,
            PartitionState state,
            Time time,
            Consumer<TopicPartition> onChange) {
        this(topicPartition, topicId, log, localBrokerId, state, time, onChange, onChange, () -> true);
    }

    /**
     * @param onChange told when the high watermark advanced or the leadership state changed: what consumer fetches,
     *     acks=all produces and group commits wait for
     * @param onLogEnd told when an append as leader moved the log end but not the high watermark: what follower
     *     fetches wait for. Each append tells exactly one of the two, once.
     * @param metadataSessionLive whether this broker's ZooKeeper session is live: while it is not, this broker may
     *     have been replaced as leader without knowing it, so acks=all waits are not acknowledged
     */
    Partition(
            TopicPartition topicPartition,
            Uuid topicId,
            PartitionLog log,
            int localBrokerId,
            PartitionState state,
            Time time,
            Consumer<TopicPartition> onChange,
            Consumer<TopicPartition> onLogEnd,
            BooleanSupplier metadataSessionLive) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.log = log;
        this.localBrokerId = localBrokerId;
        this.state = state;
        this.time = time;
        this.onChange = onChange;
        this.onLogEnd = onLogEnd;
        this.metadataSessionLive = metadataSessionLive;
        this.leaderSinceMs = time.milliseconds();
        this.leaderEpochStartOffset = log.logEndOffset();
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    public PartitionLog log() {
        return log;
    }

    public PartitionState state() {
        return state;
    }

    /** Applies a state read from ZooKeeper; returns false if it was ignored as stale (older controller epoch). */
    boolean updateState(PartitionState newState) {
        leaderIsrUpdateLock.writeLock().lock();
        try {
            synchronized (this) {
                if (!applyState(newState)) {
                    return false;
                }
                advanceHighWatermark();
            }
        } finally {
            leaderIsrUpdateLock.writeLock().unlock();
        }
        // Wakes parked produce and fetch requests so they see a lost leadership at once.
        onChange.accept(topicPartition);
        return true;
    }

    private boolean applyState(PartitionState newState) {
        PartitionState old = state;
        if (newState.controllerEpoch() < old.controllerEpoch()) {
            logger.warn(
                    "Ignoring state of {} from controller epoch {}: epoch {} was already applied",
                    topicPartition,
                    newState.controllerEpoch(),
                    old.controllerEpoch());
            return false;
        }
        boolean newLeadership = newState.leader() == localBrokerId
                && (old.leader() != localBrokerId || old.leaderEpoch() != newState.leaderEpoch() || old == newState);
        this.state = newState;
        if (newState.zkVersion() != old.zkVersion() || newState.leaderEpoch() != old.leaderEpoch()) {
            // ZooKeeper answered: whatever this leader wrote is now either in the state or was refused.
            pendingIsr = null;
        }
        // A replica that left the ISR must show a fresh fetch to rejoin (it may be down).
        followers
                .keySet()
                .removeIf(
                        replica -> old.isr().contains(replica) && !maximalIsr().contains(replica));
        if (newLeadership) {
            followers.clear();
            pendingIsr = null;
            leaderSinceMs = time.milliseconds();
            leaderEpochStartOffset = log.logEndOffset();
        }
        return true;
    }

    public boolean isLeader() {
        return state.leader() == localBrokerId;
    }

    public int leaderEpoch() {
        return state.leaderEpoch();
    }

    /** The first offset written in the current leader epoch (this broker's log end when it became leader). */
    public long leaderEpochStartOffset() {
        return leaderEpochStartOffset;
    }

    /** The ISR in ZooKeeper together with the ISR this leader wrote there and has not seen come back yet. */
    public List<Integer> maximalIsr() {
        List<Integer> pending = pendingIsr;
        List<Integer> isr = state.isr();
        if (pending == null) {
            return isr;
        }
        Set<Integer> union = new LinkedHashSet<>(isr);
        union.addAll(pending);
        return List.copyOf(union);
    }

    /**
     * Appends a producer's records as leader, after validating them as client input
     * ({@link PartitionLog#appendFromClient}), under the partition's read lock so that leadership cannot change
     * until the records are in the log with the epoch checked here.
     *
     * @param requiredAcks 0, 1 or -1 (all)
     * @throws NotLeaderOrFollowerException if this broker does not lead the partition
     * @throws NotEnoughReplicasException for acks=all while the ISR is smaller than min.insync.replicas
     */
    public LeaderAppend appendFromClient(MemoryRecords records, short requiredAcks) {
        return appendFromClient(records, requiredAcks, null);
    }

    /** Like {@link #appendFromClient(MemoryRecords, short)}, naming the client's address (idempotent epochs). */
    public LeaderAppend appendFromClient(MemoryRecords records, short requiredAcks, InetAddress client) {
        return appendAsLeader(records, requiredAcks, true, client, null, null);
    }

    /**
     * Like {@link #appendFromClient(MemoryRecords, short, InetAddress)} for a transactional batch verified with the
     * transaction coordinator under {@code verificationGuard} ({@link PartitionLog#transactionVerificationGuard}).
     */
    public LeaderAppend appendFromClient(
            MemoryRecords records, short requiredAcks, InetAddress client, Object verificationGuard) {
        return appendAsLeader(records, requiredAcks, true, client, verificationGuard, null);
    }

    /** A transaction marker to write as leader: what {@link #appendMarker} appends. */
    private record Marker(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit) {}

    /**
     * Appends a transaction marker from the transaction coordinator (WriteTxnMarkers) as leader, with acks=all's
     * preconditions; see {@link PartitionLog#appendMarker}.
     */
    public LeaderAppend appendMarker(long producerId, short producerEpoch, int coordinatorEpoch, boolean commit) {
        return appendAsLeader(
                null, (short) -1, false, null, null, new Marker(producerId, producerEpoch, coordinatorEpoch, commit));
    }

    /**
     * Appends records the broker wrote itself (the group coordinator's) as leader; see {@link #appendFromClient} for
     * the preconditions.
     */
    public LeaderAppend appendAsLeader(MemoryRecords records, short requiredAcks) {
        return appendAsLeader(records, requiredAcks, false, null, null, null);
    }

    private LeaderAppend appendAsLeader(
            MemoryRecords records,
            short requiredAcks,
            boolean fromClient,
            InetAddress client,
            Object verificationGuard,
            Marker marker) {
        LeaderAppend appended;
        boolean advanced;
        leaderIsrUpdateLock.readLock().lock();
        try {
            PartitionState current = state;
            if (current.leader() != localBrokerId) {
                throw new NotLeaderOrFollowerException("Broker " + localBrokerId + " is not the leader of "
                        + topicPartition + " (leader is " + current.leader() + ")");
            }
            int minIsr = log.config().minInSyncReplicas();
            if (requiredAcks == -1 && current.isr().size() < minIsr) {
                throw new NotEnoughReplicasException("The in-sync replicas " + current.isr() + " of " + topicPartition
                        + " are fewer than min.insync.replicas=" + minIsr);
            }
            AppendResult result;
            if (marker != null) {
                result = log.appendMarker(
                        marker.producerId(),
                        marker.producerEpoch(),
                        marker.coordinatorEpoch(),
                        marker.commit(),
                        current.leaderEpoch());
            } else if (fromClient) {
                result = log.appendFromClient(records, current.leaderEpoch(), client, verificationGuard);
            } else {
                result = log.append(records, current.leaderEpoch());
            }
            appended = new LeaderAppend(result, current.leaderEpoch());
            synchronized (this) {
                advanced = advanceHighWatermark();
            }
        } finally {
            leaderIsrUpdateLock.readLock().unlock();
        }
        // One wake-up per append: everything parked on this partition when the high watermark moved; otherwise only
        // what waits for new data past it (follower fetches, cheap to re-check), not acks=all or group commits.
        (advanced ? onChange : onLogEnd).accept(topicPartition);
        return appended;
    }

    /**
     * Whether an acks=all append made as leader of {@code leaderEpoch}, ending before {@code requiredOffset}, can be
     * answered, and how (Kafka's {@code checkEnoughReplicasReachOffset}): empty while the high watermark is below it;
     * {@link Errors#NOT_LEADER_OR_FOLLOWER} once this broker no longer leads that epoch; otherwise {@link Errors#NONE},
     * or {@link Errors#NOT_ENOUGH_REPLICAS_AFTER_APPEND} when the ISR shrank below {@code min.insync.replicas} while
     * the request waited. Nothing is acknowledged while this broker's ZooKeeper session is not live.
     */
    public Optional<Errors> replicationOutcome(int leaderEpoch, long requiredOffset) {
        leaderIsrUpdateLock.readLock().lock();
        try {
            PartitionState current = state;
            if (current.leader() != localBrokerId || current.leaderEpoch() != leaderEpoch) {
                return Optional.of(Errors.NOT_LEADER_OR_FOLLOWER);
            }
            if (log.highWatermark() < requiredOffset || !metadataSessionLive.getAsBoolean()) {
                return Optional.empty();
            }
            int minIsr = log.config().minInSyncReplicas();
            return Optional.of(maximalIsr().size() >= minIsr ? Errors.NONE : Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
        } finally {
            leaderIsrUpdateLock.readLock().unlock();
        }
    }

    /**
     * Appends records fetched from the leader of {@code leaderEpoch} and takes its high watermark. Does nothing (and
     * returns false) if this broker's view of the partition moved on since the fetch was sent.
     */
    public boolean appendAsFollower(MemoryRecords records, int leaderEpoch, long leaderHighWatermark) {
        boolean advanced = false;
        leaderIsrUpdateLock.readLock().lock();
        try {
            synchronized (this) {
                if (isLeader() || state.leaderEpoch() != leaderEpoch) {
                    return false;
                }
                if (records.sizeInBytes() > 0) {
                    log.appendAsFollower(records);
                }
                long hw = Math.min(leaderHighWatermark, log.logEndOffset());
                if (hw > log.highWatermark()) {
                    log.updateHighWatermark(hw);
                    advanced = true;
                }
            }
        } finally {
            leaderIsrUpdateLock.readLock().unlock();
        }
        if (advanced) {
            onChange.accept(topicPartition);
        }
        return true;
    }

    /** Truncates the follower's log to {@code offset}, unless this broker's view moved on to another epoch. */
    public boolean truncateAsFollower(long offset, int leaderEpoch) {
        leaderIsrUpdateLock.readLock().lock();
        try {
            synchronized (this) {
                if (isLeader() || state.leaderEpoch() != leaderEpoch) {
                    return false;
                }
                if (offset < log.logEndOffset()) {
                    logger.info(
                            "Truncating {} from {} to {} after the leader change to epoch {}",
                            topicPartition,
                            log.logEndOffset(),
                            offset,
                            leaderEpoch);
                    log.truncateTo(offset);
                }
                return true;
            }
        } finally {
            leaderIsrUpdateLock.readLock().unlock();
        }
    }

    /**
     * Empties the follower's log and restarts it at the leader's log start, unless this broker's view moved on to
     * another epoch; for a follower that fell below what the leader still keeps.
     */
    public boolean restartAsFollower(long leaderLogStart, int leaderEpoch) {
        leaderIsrUpdateLock.readLock().lock();
        try {
            synchronized (this) {
                if (isLeader() || state.leaderEpoch() != leaderEpoch || leaderLogStart <= log.logEndOffset()) {
                    return false;
                }
                logger.info(
                        "Restarting the log of {} at the leader's log start {} (local log end {})",
                        topicPartition,
                        leaderLogStart,
                        log.logEndOffset());
                log.restartAt(leaderLogStart);
                return true;
            }
        } finally {
            leaderIsrUpdateLock.readLock().unlock();
        }
    }

    /**
     * Records that follower {@code replicaId} fetched from {@code fetchOffset}, so it has everything before it. A
     * fetch offset beyond this leader's log end tells nothing (the follower diverged; its fetch gets
     * OFFSET_OUT_OF_RANGE and it must truncate), so it is not recorded.
     *
     * @return whether the follower is out of the ISR but now eligible to join it
     */
    public boolean recordFollowerFetch(int replicaId, long fetchOffset) {
        boolean advanced;
        boolean eligible;
        leaderIsrUpdateLock.readLock().lock();
        try {
            synchronized (this) {
                long leaderEnd = log.logEndOffset();
                if (!isLeader() || fetchOffset > leaderEnd) {
                    return false;
                }
                long now = time.milliseconds();
                FollowerPosition previous = followers.get(replicaId);
                long caughtUp = previous == null ? leaderSinceMs : previous.lastCaughtUpMs();
                if (fetchOffset >= leaderEnd) {
                    caughtUp = now;
                } else if (previous != null && fetchOffset >= previous.lastFetchLeaderEnd()) {
                    // It has everything the leader had when it last fetched: it was caught up at that time.
                    caughtUp = Math.max(caughtUp, previous.lastFetchMs());
                }
                followers.put(replicaId, new FollowerPosition(fetchOffset, caughtUp, leaderEnd, now));
                advanced = advanceHighWatermark();
                eligible = !maximalIsr().contains(replicaId) && canJoinIsr(fetchOffset);
            }
        } finally {
            leaderIsrUpdateLock.readLock().unlock();
        }
        if (advanced) {
            onChange.accept(topicPartition);
        }
        return eligible;
    }

    /**
     * KIP-320's check of a follower fetch carrying the epoch of the last batch the follower has: when this leader's
     * log ends that epoch below the fetch offset, or does not know the epoch at all, the follower's records from that
     * point on are not this leader's. Returns the largest epoch <= {@code lastFetchedEpoch} known here and where it
     * ends (a diverging epoch the follower truncates by), or empty when the follower's log is a prefix of this one.
     */
    public Optional<PartitionLog.EpochEndOffset> divergingEpoch(int lastFetchedEpoch, long fetchOffset) {
        if (lastFetchedEpoch < 0) {
            return Optional.empty();
        }
        PartitionLog.EpochEndOffset local = log.endOffsetForEpoch(lastFetchedEpoch);
        if (local.epoch() < lastFetchedEpoch || local.endOffset() < fetchOffset) {
            return Optional.of(local);
        }
        return Optional.empty();
    }

    /**
     * The ISR this leader wants, if it differs from the current one: laggards out, caught-up followers in. Nothing is
     * proposed while an earlier change is still on its way through ZooKeeper.
     *
     * @param lagMaxMs replica.lag.time.max.ms
     */
    public synchronized Optional<IsrChange> proposedIsr(long lagMaxMs) {
        PartitionState current = state;
        if (current.leader() != localBrokerId || pendingIsr != null) {
            return Optional.empty();
        }
        long now = time.milliseconds();
        List<Integer> isr = new ArrayList<>();
        for (int replica : current.isr()) {
            if (replica == localBrokerId) {
                isr.add(replica);
                continue;
            }
            FollowerPosition position = followers.get(replica);
            long caughtUp = position == null ? leaderSinceMs : position.lastCaughtUpMs();
            if (now - caughtUp <= lagMaxMs) {
                isr.add(replica);
            }
        }
        for (int replica : current.replicas()) {
            FollowerPosition position = followers.get(replica);
            if (!isr.contains(replica)
                    && position != null
                    && canJoinIsr(position.logEndOffset())
                    && now - position.lastCaughtUpMs() <= lagMaxMs) {
                isr.add(replica);
            }
        }
        return isr.equals(current.isr()) ? Optional.empty() : Optional.of(new IsrChange(current, List.copyOf(isr)));
    }

    /**
     * Tells the partition that {@code isr} is being written to ZooKeeper in place of {@code change.from()}'s ISR:
     * until a newer state arrives the high watermark counts every replica of both, because another broker may read
     * the new ISR (and elect from it) before this one sees it.
     */
    public void isrChangeSent(IsrChange change, List<Integer> isr) {
        leaderIsrUpdateLock.writeLock().lock();
        try {
            synchronized (this) {
                if (state == change.from()) {
                    pendingIsr = List.copyOf(isr);
                }
            }
        } finally {
            leaderIsrUpdateLock.writeLock().unlock();
        }
    }

    private boolean canJoinIsr(long followerEnd) {
        return followerEnd >= log.highWatermark() && followerEnd >= leaderEpochStartOffset;
    }

    /** Moves the high watermark up to the smallest log end over the maximal ISR; returns whether it moved. */
    private boolean advanceHighWatermark() {
        PartitionState current = state;
        if (current.leader() != localBrokerId || !current.isr().contains(localBrokerId)) {
            return false;
        }
        long hw = log.logEndOffset();
        for (int replica : maximalIsr()) {
            if (replica == localBrokerId) {
                continue;
            }
            FollowerPosition position = followers.get(replica);
            if (position == null) {
                return false;
            }
            hw = Math.min(hw, position.logEndOffset());
        }
        if (hw > log.highWatermark()) {
            log.updateHighWatermark(hw);
            return true;
        }
        return false;
    }
}
