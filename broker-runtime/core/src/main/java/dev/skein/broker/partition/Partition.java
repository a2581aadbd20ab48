package dev.skein.broker.partition;

import dev.skein.broker.cluster.PartitionState;
import dev.skein.broker.log.PartitionLog;
import dev.skein.broker.log.PartitionLog.AppendResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition hosted by this broker: its log plus the leadership state last read from ZooKeeper.
 *
 * <p><b>As leader</b> it accepts appends, tracks each follower's log end offset from the offsets of its fetches, and
 * advances the high watermark to the smallest log end offset over the ISR (right after the append when this broker
 * is the only in-sync replica). It proposes ISR changes ({@link #proposedIsr}): a follower leaves when it has not
 * been caught up for {@code replica.lag.time.max.ms}, and joins when its log end reaches the high watermark and the
 * start of the current leader epoch and it was caught up within that time. <b>As follower</b> it appends what the replica fetcher brought
 * ({@link #appendAsFollower}) and takes the leader's high watermark, capped at its own log end.
 *
 * <p>A state stamped with an older controller epoch than the one applied last is ignored: it was written by a
 * controller that has since been replaced. Threads: state changes, follower bookkeeping and follower appends are
 * serialised on this object; leader appends are serialised by the log and read the state once.
 */
public final class Partition {
    private static final Logger logger = LoggerFactory.getLogger(Partition.class);

    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final PartitionLog log;
    private final int localBrokerId;
    private final Time time;
    private final Consumer<TopicPartition> onChange;
    private final Map<Integer, FollowerPosition> followers = new HashMap<>();
    private volatile PartitionState state;
    private long leaderSinceMs;
    private long leaderEpochStartOffset;

    /** A proposed ISR and the state it replaces (whose zkVersion the write is conditional on). */
    public record IsrChange(PartitionState from, List<Integer> isr) {}

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
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.log = log;
        this.localBrokerId = localBrokerId;
        this.state = state;
        this.time = time;
        this.onChange = onChange;
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
    synchronized boolean updateState(PartitionState newState) {
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
        // A replica that left the ISR must show a fresh fetch to rejoin (it may be down).
        followers
                .keySet()
                .removeIf(replica ->
                        old.isr().contains(replica) && !newState.isr().contains(replica));
        if (newLeadership) {
            followers.clear();
            leaderSinceMs = time.milliseconds();
            leaderEpochStartOffset = log.logEndOffset();
        }
        advanceHighWatermark();
        // Wakes parked produce and fetch requests so they see a lost leadership at once.
        onChange.accept(topicPartition);
        return true;
    }

    public boolean isLeader() {
        return state.leader() == localBrokerId;
    }

    public int leaderEpoch() {
        return state.leaderEpoch();
    }

    /**
     * Appends a producer's records as leader, after validating them as client input
     * ({@link PartitionLog#appendFromClient}).
     *
     * @param requiredAcks 0, 1 or -1 (all)
     * @throws NotLeaderOrFollowerException if this broker does not lead the partition
     * @throws NotEnoughReplicasException for acks=all while the ISR is smaller than min.insync.replicas
     */
    public AppendResult appendFromClient(MemoryRecords records, short requiredAcks) {
        return appendAsLeader(records, requiredAcks, true);
    }

    /**
     * Appends records the broker wrote itself (the group coordinator's) as leader; see {@link #appendFromClient} for
     * the preconditions.
     */
    public AppendResult appendAsLeader(MemoryRecords records, short requiredAcks) {
        return appendAsLeader(records, requiredAcks, false);
    }

    private AppendResult appendAsLeader(MemoryRecords records, short requiredAcks, boolean fromClient) {
        PartitionState current = state;
        if (current.leader() != localBrokerId) {
            throw new NotLeaderOrFollowerException("Broker " + localBrokerId + " is not the leader of " + topicPartition
                    + " (leader is " + current.leader() + ")");
        }
        int minIsr = log.config().minInSyncReplicas();
        if (requiredAcks == -1 && current.isr().size() < minIsr) {
            throw new NotEnoughReplicasException("The in-sync replicas " + current.isr() + " of " + topicPartition
                    + " are fewer than min.insync.replicas=" + minIsr);
        }
        AppendResult result = fromClient
                ? log.appendFromClient(records, current.leaderEpoch())
                : log.append(records, current.leaderEpoch());
        synchronized (this) {
            advanceHighWatermark();
        }
        // Followers parked in a fetch wait for new data, not for the high watermark.
        onChange.accept(topicPartition);
        return result;
    }

    /**
     * Appends records fetched from the leader of {@code leaderEpoch} and takes its high watermark. Does nothing (and
     * returns false) if this broker's view of the partition moved on since the fetch was sent.
     */
    public synchronized boolean appendAsFollower(MemoryRecords records, int leaderEpoch, long leaderHighWatermark) {
        if (isLeader() || state.leaderEpoch() != leaderEpoch) {
            return false;
        }
        if (records.sizeInBytes() > 0) {
            log.appendAsFollower(records);
        }
        long hw = Math.min(leaderHighWatermark, log.logEndOffset());
        if (hw > log.highWatermark()) {
            log.updateHighWatermark(hw);
            onChange.accept(topicPartition);
        }
        return true;
    }

    /** Truncates the follower's log to {@code offset}, unless this broker's view moved on to another epoch. */
    public synchronized boolean truncateAsFollower(long offset, int leaderEpoch) {
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

    /**
     * Empties the follower's log and restarts it at the leader's log start, unless this broker's view moved on to
     * another epoch; for a follower that fell below what the leader still keeps.
     */
    public synchronized boolean restartAsFollower(long leaderLogStart, int leaderEpoch) {
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

    /**
     * Records that follower {@code replicaId} fetched from {@code fetchOffset}, so it has everything before it.
     *
     * @return whether the follower is out of the ISR but now eligible to join it
     */
    public synchronized boolean recordFollowerFetch(int replicaId, long fetchOffset) {
        if (!isLeader()) {
            return false;
        }
        long now = time.milliseconds();
        long leaderEnd = log.logEndOffset();
        long followerEnd = Math.min(fetchOffset, leaderEnd);
        FollowerPosition previous = followers.get(replicaId);
        long caughtUp = previous == null ? leaderSinceMs : previous.lastCaughtUpMs();
        if (followerEnd >= leaderEnd) {
            caughtUp = now;
        } else if (previous != null && followerEnd >= previous.lastFetchLeaderEnd()) {
            // It has everything the leader had when it last fetched: it was caught up at that time.
            caughtUp = Math.max(caughtUp, previous.lastFetchMs());
        }
        followers.put(replicaId, new FollowerPosition(followerEnd, caughtUp, leaderEnd, now));
        advanceHighWatermark();
        return !state.isr().contains(replicaId) && canJoinIsr(followerEnd);
    }

    /**
     * The ISR this leader wants, if it differs from the current one: laggards out, caught-up followers in.
     *
     * @param lagMaxMs replica.lag.time.max.ms
     */
    public synchronized Optional<IsrChange> proposedIsr(long lagMaxMs) {
        PartitionState current = state;
        if (current.leader() != localBrokerId) {
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

    private boolean canJoinIsr(long followerEnd) {
        return followerEnd >= log.highWatermark() && followerEnd >= leaderEpochStartOffset;
    }

    private void advanceHighWatermark() {
        PartitionState current = state;
        if (current.leader() != localBrokerId || !current.isr().contains(localBrokerId)) {
            return;
        }
        long hw = log.logEndOffset();
        for (int replica : current.isr()) {
            if (replica == localBrokerId) {
                continue;
            }
            FollowerPosition position = followers.get(replica);
            if (position == null) {
                return;
            }
            hw = Math.min(hw, position.logEndOffset());
        }
        if (hw > log.highWatermark()) {
            log.updateHighWatermark(hw);
            onChange.accept(topicPartition);
        }
    }
}
