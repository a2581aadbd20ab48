package dev.skein.broker.group;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic rebalance protocol: JoinGroup, SyncGroup, Heartbeat and LeaveGroup on the group state machine
 * Empty → PreparingRebalance → CompletingRebalance → Stable (→ PreparingRebalance ...), Dead when removed.
 *
 * <p>A rebalance completes when every member has rejoined, or when the longest rebalance timeout of the members
 * runs out (members that did not rejoin are then removed, static members kept). The first rebalance of an empty
 * group waits {@code group.initial.rebalance.delay.ms}, extended while new members keep arriving, up to the
 * rebalance timeout. Members whose session times out without a heartbeat are removed.
 *
 * <p>The parts: {@link GroupRebalance} (the state machine), {@link MemberSessions} (session timers) and
 * {@link GroupStore} (writes to {@code __consumer_offsets}); this class checks requests and routes them.
 *
 * <p>Threading: callers run on request threads, timers on the scheduler; all of them take the group's monitor
 * ({@code synchronized (group)}) before touching it. Waiting JoinGroup/SyncGroup requests are futures kept on the
 * member and completed under that lock — no thread waits. Group metadata is written to {@code __consumer_offsets}
 * when the leader's assignment arrives, when a group becomes empty and when a static member is replaced; the
 * SyncGroup responses go out only after that write is committed.
 */
final class GroupMembership {
    private static final Logger log = LoggerFactory.getLogger(GroupMembership.class);

    private final GroupConfig config;
    private final GroupShards shards;
    private final GroupTimer timer;
    private final Time time;
    private final GroupStore store;
    private final GroupRebalance rebalance;
    private final MemberSessions sessions;

    GroupMembership(
            GroupConfig config, GroupShards shards, CoordinatorLog coordinatorLog, GroupTimer timer, Time time) {
        this.config = config;
        this.shards = shards;
        this.timer = timer;
        this.time = time;
        this.store = new GroupStore(coordinatorLog, time);
        this.rebalance = new GroupRebalance(config, timer, time, store);
        this.sessions = rebalance.sessions();
    }

    CompletableFuture<JoinGroupResult> join(JoinGroupParams p) {
        if (p.groupId() == null || p.groupId().isEmpty()) {
            return done(JoinGroupResult.error(Errors.INVALID_GROUP_ID, p.memberId()));
        }
        Errors coordinatorError = shards.check(p.groupId());
        if (coordinatorError != Errors.NONE) {
            return done(JoinGroupResult.error(coordinatorError, p.memberId()));
        }
        if (p.sessionTimeoutMs() < config.minSessionTimeoutMs()
                || p.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
            return done(JoinGroupResult.error(Errors.INVALID_SESSION_TIMEOUT, p.memberId()));
        }
        boolean newMember = p.memberId().isEmpty();
        ClassicGroup group = newMember ? shards.getOrCreate(p.groupId()) : shards.get(p.groupId());
        if (group == null) {
            return done(JoinGroupResult.error(Errors.UNKNOWN_MEMBER_ID, p.memberId()));
        }
        CompletableFuture<JoinGroupResult> result = new CompletableFuture<>();
        synchronized (group) {
            if (group.is(GroupState.DEAD)) {
                result.complete(JoinGroupResult.error(Errors.COORDINATOR_NOT_AVAILABLE, p.memberId()));
            } else if (newMember) {
                rebalance.joinNewMember(group, p, result);
            } else {
                rebalance.joinKnownMember(group, p, result);
            }
        }
        return result;
    }

    CompletableFuture<SyncGroupResult> sync(SyncGroupParams p) {
        Errors coordinatorError = shards.check(p.groupId());
        if (coordinatorError != Errors.NONE) {
            return done(SyncGroupResult.error(coordinatorError));
        }
        ClassicGroup group = shards.get(p.groupId());
        if (group == null) {
            return done(SyncGroupResult.error(Errors.UNKNOWN_MEMBER_ID));
        }
        CompletableFuture<SyncGroupResult> result = new CompletableFuture<>();
        synchronized (group) {
            Errors error = validateMember(group, p.memberId(), p.groupInstanceId(), p.generationId());
            if (error == Errors.NONE
                    && ((p.protocolType() != null && !p.protocolType().equals(group.protocolType()))
                            || (p.protocolName() != null && !p.protocolName().equals(group.protocolName())))) {
                error = Errors.INCONSISTENT_GROUP_PROTOCOL;
            }
            if (error != Errors.NONE) {
                result.complete(SyncGroupResult.error(error));
                return result;
            }
            GroupMember member = group.member(p.memberId());
            switch (group.state()) {
                case PREPARING_REBALANCE -> result.complete(SyncGroupResult.error(Errors.REBALANCE_IN_PROGRESS));
                case COMPLETING_REBALANCE -> {
                    member.awaitingSync(result);
                    sessions.scheduleHeartbeat(group, member);
                    if (group.isLeader(p.memberId())) {
                        rebalance.applyLeaderAssignment(group, p.assignments());
                    }
                }
                case STABLE -> {
                    sessions.scheduleHeartbeat(group, member);
                    result.complete(new SyncGroupResult(
                            Errors.NONE, group.protocolType(), group.protocolName(), member.assignment()));
                }
                default -> result.complete(SyncGroupResult.error(Errors.UNKNOWN_MEMBER_ID));
            }
        }
        return result;
    }

    Errors heartbeat(String groupId, String memberId, String groupInstanceId, int generationId) {
        Errors coordinatorError = shards.check(groupId);
        if (coordinatorError != Errors.NONE) {
            return coordinatorError;
        }
        ClassicGroup group = shards.get(groupId);
        if (group == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        synchronized (group) {
            Errors error = validateMember(group, memberId, groupInstanceId, generationId);
            if (error != Errors.NONE) {
                return error;
            }
            sessions.scheduleHeartbeat(group, group.member(memberId));
            return group.is(GroupState.PREPARING_REBALANCE) ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
        }
    }

    /** Checks a member's claim to be in the current generation; the caller holds the group lock. */
    Errors validateMember(ClassicGroup group, String memberId, String groupInstanceId, int generationId) {
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (GroupRebalance.isFenced(group, groupInstanceId, memberId)) {
            return Errors.FENCED_INSTANCE_ID;
        }
        if (group.is(GroupState.EMPTY) || !group.has(memberId)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return generationId != group.generationId() ? Errors.ILLEGAL_GENERATION : Errors.NONE;
    }

    /**
     * Removes the named members. Returns the group-level error (NONE, or why no member could be looked at) and,
     * if NONE, one error per member in request order.
     */
    LeaveOutcome leave(String groupId, List<MemberIdentity> leaving) {
        Errors coordinatorError = shards.check(groupId);
        if (coordinatorError != Errors.NONE) {
            return new LeaveOutcome(coordinatorError, List.of());
        }
        ClassicGroup group = shards.get(groupId);
        if (group == null) {
            return new LeaveOutcome(Errors.UNKNOWN_MEMBER_ID, List.of());
        }
        synchronized (group) {
            if (group.is(GroupState.DEAD)) {
                return new LeaveOutcome(Errors.COORDINATOR_NOT_AVAILABLE, List.of());
            }
            List<Errors> errors = new ArrayList<>();
            for (MemberIdentity identity : leaving) {
                errors.add(leaveOne(group, identity));
            }
            return new LeaveOutcome(Errors.NONE, errors);
        }
    }

    /** Result of a LeaveGroup: a group-level error, or one error per member named. */
    record LeaveOutcome(Errors error, List<Errors> memberErrors) {}

    private Errors leaveOne(ClassicGroup group, MemberIdentity identity) {
        String memberId = identity.memberId();
        if (identity.groupInstanceId() != null) {
            String current = group.staticMemberId(identity.groupInstanceId());
            if (memberId.isEmpty()) {
                if (current == null) {
                    return Errors.UNKNOWN_MEMBER_ID;
                }
                memberId = current;
            } else if (current != null && !current.equals(memberId)) {
                return Errors.FENCED_INSTANCE_ID;
            }
        }
        if (group.pendingMembers().remove(memberId)) {
            timer.cancel(MemberSessions.pendingKey(group, memberId));
            rebalance.maybeCompleteJoin(group);
            return Errors.NONE;
        }
        GroupMember member = group.member(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        log.info("Member {} left group {}", memberId, group.groupId());
        rebalance.removeMemberAndUpdateGroup(group, member, "member " + memberId + " left");
        return Errors.NONE;
    }

    /** Fails everything waiting on a group this coordinator no longer serves; the caller holds the group lock. */
    void unload(ClassicGroup group, Errors error) {
        for (GroupMember m : group.members()) {
            if (m.awaitingJoin() != null) {
                m.awaitingJoin().complete(JoinGroupResult.error(error, m.memberId()));
                m.awaitingJoin(null);
            }
            if (m.awaitingSync() != null) {
                m.awaitingSync().complete(SyncGroupResult.error(error));
                m.awaitingSync(null);
            }
            timer.cancel(MemberSessions.heartbeatKey(group, m.memberId()));
        }
        for (String pending : group.pendingMembers()) {
            timer.cancel(MemberSessions.pendingKey(group, pending));
        }
        timer.cancel(GroupRebalance.joinKey(group));
        group.transitionTo(GroupState.DEAD, time.milliseconds());
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }

    /** Restarts a member's session timer; the caller holds the group lock. */
    void scheduleHeartbeat(ClassicGroup group, GroupMember member) {
        sessions.scheduleHeartbeat(group, member);
    }

    /** Writes the group's current metadata (with the members' current assignments). */
    CompletableFuture<Void> store(ClassicGroup group) {
        return store.store(group);
    }
}
