package dev.skein.broker.group;

import dev.skein.broker.group.GroupRecords.GroupSnapshot;
import dev.skein.broker.group.GroupRecords.MemberSnapshot;
import dev.skein.broker.group.JoinGroupResult.JoinedMember;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
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
    private final CoordinatorLog coordinatorLog;
    private final GroupTimer timer;
    private final Time time;

    GroupMembership(
            GroupConfig config, GroupShards shards, CoordinatorLog coordinatorLog, GroupTimer timer, Time time) {
        this.config = config;
        this.shards = shards;
        this.coordinatorLog = coordinatorLog;
        this.timer = timer;
        this.time = time;
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
                joinNewMember(group, p, result);
            } else {
                joinKnownMember(group, p, result);
            }
        }
        return result;
    }

    private void joinNewMember(ClassicGroup group, JoinGroupParams p, CompletableFuture<JoinGroupResult> result) {
        if (!group.supportsProtocols(p.protocolType(), p.protocols())) {
            result.complete(JoinGroupResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL, p.memberId()));
            return;
        }
        String existingStatic = p.groupInstanceId() == null ? null : group.staticMemberId(p.groupInstanceId());
        if (existingStatic == null && group.size() >= config.maxSize()) {
            result.complete(JoinGroupResult.error(Errors.GROUP_MAX_SIZE_REACHED, p.memberId()));
            return;
        }
        String memberId = p.clientId() + "-" + UUID.randomUUID();
        if (existingStatic != null) {
            replaceStaticMember(group, existingStatic, memberId, p, result);
        } else if (p.groupInstanceId() == null && p.requireKnownMemberId()) {
            group.pendingMembers().add(memberId);
            timer.schedule(pendingKey(group, memberId), p.sessionTimeoutMs(), () -> expirePending(group, memberId));
            result.complete(JoinGroupResult.error(Errors.MEMBER_ID_REQUIRED, memberId));
        } else {
            addMemberAndRebalance(group, memberId, p, result);
        }
    }

    private void joinKnownMember(ClassicGroup group, JoinGroupParams p, CompletableFuture<JoinGroupResult> result) {
        String memberId = p.memberId();
        if (isFenced(group, p.groupInstanceId(), memberId)) {
            result.complete(JoinGroupResult.error(Errors.FENCED_INSTANCE_ID, memberId));
            return;
        }
        if (!group.has(memberId)) {
            if (group.pendingMembers().contains(memberId)) {
                if (!group.supportsProtocols(p.protocolType(), p.protocols())) {
                    result.complete(JoinGroupResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL, memberId));
                    return;
                }
                if (group.size() >= config.maxSize()) {
                    group.pendingMembers().remove(memberId);
                    result.complete(JoinGroupResult.error(Errors.GROUP_MAX_SIZE_REACHED, memberId));
                    return;
                }
                timer.cancel(pendingKey(group, memberId));
                addMemberAndRebalance(group, memberId, p, result);
            } else {
                result.complete(JoinGroupResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
            }
            return;
        }
        if (!group.supportsProtocols(p.protocolType(), p.protocols())) {
            result.complete(JoinGroupResult.error(Errors.INCONSISTENT_GROUP_PROTOCOL, memberId));
            return;
        }
        GroupMember member = group.member(memberId);
        switch (group.state()) {
            case PREPARING_REBALANCE -> updateMemberAndRebalance(group, member, p, result);
            case COMPLETING_REBALANCE -> {
                if (member.sameProtocols(p.protocols())) {
                    result.complete(currentGeneration(group, member, false));
                } else {
                    updateMemberAndRebalance(group, member, p, result);
                }
            }
            case STABLE -> {
                if (group.isLeader(memberId) || !member.sameProtocols(p.protocols())) {
                    updateMemberAndRebalance(group, member, p, result);
                } else {
                    scheduleHeartbeat(group, member);
                    result.complete(currentGeneration(group, member, false));
                }
            }
            default -> result.complete(JoinGroupResult.error(Errors.UNKNOWN_MEMBER_ID, memberId));
        }
    }

    /** A new instance of a known static member: it takes the old member's place and assignment; the old is fenced. */
    private void replaceStaticMember(
            ClassicGroup group,
            String oldMemberId,
            String newMemberId,
            JoinGroupParams p,
            CompletableFuture<JoinGroupResult> result) {
        GroupMember old = group.member(oldMemberId);
        boolean unchanged = old.sameProtocols(p.protocols()) && Objects.equals(old.protocolType(), p.protocolType());
        if (old.awaitingJoin() != null) {
            old.awaitingJoin().complete(JoinGroupResult.error(Errors.FENCED_INSTANCE_ID, oldMemberId));
        }
        if (old.awaitingSync() != null) {
            old.awaitingSync().complete(SyncGroupResult.error(Errors.FENCED_INSTANCE_ID));
        }
        timer.cancel(heartbeatKey(group, oldMemberId));
        GroupMember replacement = old.withMemberId(newMemberId);
        replacement.update(p.rebalanceTimeoutMs(), p.sessionTimeoutMs(), p.protocolType(), p.protocols());
        group.replaceStatic(oldMemberId, replacement);
        log.info(
                "Static member {} of group {} replaced {} by {}",
                p.groupInstanceId(),
                group.groupId(),
                oldMemberId,
                newMemberId);
        boolean leader = group.isLeader(newMemberId);
        if (group.is(GroupState.STABLE) && unchanged && (!leader || p.supportsSkipAssignment())) {
            scheduleHeartbeat(group, replacement);
            JoinGroupResult answer = currentGeneration(group, replacement, leader);
            int generation = group.generationId();
            store(group).whenComplete((ignored, error) -> {
                synchronized (group) {
                    if (error == null || group.generationId() != generation) {
                        result.complete(answer);
                    } else {
                        result.complete(JoinGroupResult.error(appendError(error), newMemberId));
                    }
                }
            });
        } else {
            replacement.awaitingJoin(result);
            maybePrepareRebalance(group, "static member " + p.groupInstanceId() + " rejoined");
        }
    }

    private void addMemberAndRebalance(
            ClassicGroup group, String memberId, JoinGroupParams p, CompletableFuture<JoinGroupResult> result) {
        GroupMember member = new GroupMember(
                memberId,
                p.groupInstanceId(),
                p.clientId(),
                p.clientHost(),
                p.rebalanceTimeoutMs(),
                p.sessionTimeoutMs(),
                p.protocolType(),
                p.protocols());
        member.awaitingJoin(result);
        group.add(member, time.milliseconds());
        group.newMemberAdded(true);
        maybePrepareRebalance(group, "new member " + memberId + " joined");
    }

    private void updateMemberAndRebalance(
            ClassicGroup group, GroupMember member, JoinGroupParams p, CompletableFuture<JoinGroupResult> result) {
        member.update(p.rebalanceTimeoutMs(), p.sessionTimeoutMs(), p.protocolType(), p.protocols());
        if (member.awaitingJoin() != null && member.awaitingJoin() != result) {
            member.awaitingJoin().complete(JoinGroupResult.error(Errors.REBALANCE_IN_PROGRESS, member.memberId()));
        }
        member.awaitingJoin(result);
        maybePrepareRebalance(group, "member " + member.memberId() + " rejoined");
    }

    private void maybePrepareRebalance(ClassicGroup group, String reason) {
        if (group.is(GroupState.PREPARING_REBALANCE)) {
            maybeCompleteJoin(group);
        } else if (!group.is(GroupState.DEAD)) {
            prepareRebalance(group, reason);
        }
    }

    private void prepareRebalance(ClassicGroup group, String reason) {
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            resetAndPropagate(group, Errors.REBALANCE_IN_PROGRESS);
        }
        boolean initial = group.is(GroupState.EMPTY);
        long round = group.nextRebalanceRound();
        group.transitionTo(GroupState.PREPARING_REBALANCE, time.milliseconds());
        log.info("Preparing to rebalance group {} in generation {}: {}", group.groupId(), group.generationId(), reason);
        if (initial) {
            int delay = config.initialRebalanceDelayMs();
            group.initialDelayPending(true);
            group.newMemberAdded(false);
            scheduleInitialJoin(group, round, delay, Math.max(group.maxRebalanceTimeoutMs() - delay, 0));
        } else {
            timer.schedule(joinKey(group), group.maxRebalanceTimeoutMs(), () -> onJoinTimeout(group, round));
            maybeCompleteJoin(group);
        }
    }

    private void scheduleInitialJoin(ClassicGroup group, long round, int delayMs, int remainingMs) {
        timer.schedule(joinKey(group), delayMs, () -> {
            synchronized (group) {
                if (group.rebalanceRound() != round || !group.is(GroupState.PREPARING_REBALANCE)) {
                    return;
                }
                if (group.newMemberAdded() && remainingMs > 0) {
                    group.newMemberAdded(false);
                    int next = Math.min(config.initialRebalanceDelayMs(), remainingMs);
                    scheduleInitialJoin(group, round, next, remainingMs - next);
                } else {
                    completeJoin(group);
                }
            }
        });
    }

    private void onJoinTimeout(ClassicGroup group, long round) {
        synchronized (group) {
            if (group.rebalanceRound() == round && group.is(GroupState.PREPARING_REBALANCE)) {
                completeJoin(group);
            }
        }
    }

    private void maybeCompleteJoin(ClassicGroup group) {
        if (group.is(GroupState.PREPARING_REBALANCE) && !group.initialDelayPending() && group.hasAllMembersJoined()) {
            completeJoin(group);
        }
    }

    private void completeJoin(ClassicGroup group) {
        timer.cancel(joinKey(group));
        group.initialDelayPending(false);
        for (GroupMember member : group.notYetRejoined()) {
            if (!member.isStatic()) {
                log.info(
                        "Removing member {} from group {}: it did not rejoin in time",
                        member.memberId(),
                        group.groupId());
                timer.cancel(heartbeatKey(group, member.memberId()));
                group.remove(member.memberId());
            }
        }
        group.initNextGeneration(time.milliseconds());
        if (group.is(GroupState.EMPTY)) {
            log.info("Group {} is empty in generation {}", group.groupId(), group.generationId());
            store(group);
            return;
        }
        log.info(
                "Group {} formed generation {} with {} members (protocol {})",
                group.groupId(),
                group.generationId(),
                group.size(),
                group.protocolName());
        for (GroupMember member : group.members()) {
            CompletableFuture<JoinGroupResult> waiting = member.awaitingJoin();
            if (waiting != null) {
                member.awaitingJoin(null);
                waiting.complete(currentGeneration(group, member, false));
            }
            scheduleHeartbeat(group, member);
        }
    }

    /** The current generation as one member's JoinGroup answer; the leader gets the members' metadata. */
    private static JoinGroupResult currentGeneration(ClassicGroup group, GroupMember member, boolean skipAssignment) {
        List<JoinedMember> members = new ArrayList<>();
        if (group.isLeader(member.memberId())) {
            for (GroupMember m : group.members()) {
                members.add(new JoinedMember(m.memberId(), m.groupInstanceId(), m.metadata(group.protocolName())));
            }
        }
        return new JoinGroupResult(
                Errors.NONE,
                group.generationId(),
                group.protocolType(),
                group.protocolName(),
                group.leaderId(),
                member.memberId(),
                skipAssignment,
                members);
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
                    scheduleHeartbeat(group, member);
                    if (group.isLeader(p.memberId())) {
                        applyLeaderAssignment(group, p.assignments());
                    }
                }
                case STABLE -> {
                    scheduleHeartbeat(group, member);
                    result.complete(new SyncGroupResult(
                            Errors.NONE, group.protocolType(), group.protocolName(), member.assignment()));
                }
                default -> result.complete(SyncGroupResult.error(Errors.UNKNOWN_MEMBER_ID));
            }
        }
        return result;
    }

    private void applyLeaderAssignment(ClassicGroup group, Map<String, byte[]> assignments) {
        Map<String, byte[]> complete = new HashMap<>();
        for (GroupMember m : group.members()) {
            byte[] assignment = assignments.get(m.memberId());
            complete.put(m.memberId(), assignment == null ? new byte[0] : assignment);
        }
        int generation = group.generationId();
        store(group, complete).whenComplete((ignored, error) -> {
            synchronized (group) {
                if (!group.is(GroupState.COMPLETING_REBALANCE) || group.generationId() != generation) {
                    return;
                }
                if (error != null) {
                    resetAndPropagate(group, appendError(error));
                    prepareRebalance(group, "storing the assignment failed: " + error);
                    return;
                }
                for (GroupMember m : group.members()) {
                    m.assignment(complete.get(m.memberId()));
                    CompletableFuture<SyncGroupResult> waiting = m.awaitingSync();
                    if (waiting != null) {
                        m.awaitingSync(null);
                        waiting.complete(new SyncGroupResult(
                                Errors.NONE, group.protocolType(), group.protocolName(), m.assignment()));
                    }
                }
                group.transitionTo(GroupState.STABLE, time.milliseconds());
            }
        });
    }

    /** Clears every assignment and fails the SyncGroups waiting for one. */
    private static void resetAndPropagate(ClassicGroup group, Errors error) {
        for (GroupMember m : group.members()) {
            m.assignment(new byte[0]);
            CompletableFuture<SyncGroupResult> waiting = m.awaitingSync();
            if (waiting != null) {
                m.awaitingSync(null);
                waiting.complete(SyncGroupResult.error(error));
            }
        }
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
            scheduleHeartbeat(group, group.member(memberId));
            return group.is(GroupState.PREPARING_REBALANCE) ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
        }
    }

    /** Checks a member's claim to be in the current generation; the caller holds the group lock. */
    Errors validateMember(ClassicGroup group, String memberId, String groupInstanceId, int generationId) {
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        if (isFenced(group, groupInstanceId, memberId)) {
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
            timer.cancel(pendingKey(group, memberId));
            maybeCompleteJoin(group);
            return Errors.NONE;
        }
        GroupMember member = group.member(memberId);
        if (member == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        log.info("Member {} left group {}", memberId, group.groupId());
        removeMemberAndUpdateGroup(group, member, "member " + memberId + " left");
        return Errors.NONE;
    }

    private void removeMemberAndUpdateGroup(ClassicGroup group, GroupMember member, String reason) {
        if (member.awaitingJoin() != null) {
            member.awaitingJoin().complete(JoinGroupResult.error(Errors.UNKNOWN_MEMBER_ID, member.memberId()));
            member.awaitingJoin(null);
        }
        if (member.awaitingSync() != null) {
            member.awaitingSync().complete(SyncGroupResult.error(Errors.UNKNOWN_MEMBER_ID));
            member.awaitingSync(null);
        }
        timer.cancel(heartbeatKey(group, member.memberId()));
        group.remove(member.memberId());
        switch (group.state()) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(group, reason);
            case PREPARING_REBALANCE -> maybeCompleteJoin(group);
            default -> {}
        }
    }

    /** Restarts a member's session timer; the caller holds the group lock. */
    void scheduleHeartbeat(ClassicGroup group, GroupMember member) {
        long deadline = time.milliseconds() + member.sessionTimeoutMs();
        member.heartbeatDeadlineMs(deadline);
        String memberId = member.memberId();
        timer.schedule(
                heartbeatKey(group, memberId),
                member.sessionTimeoutMs(),
                () -> expireSession(group, memberId, deadline));
    }

    private void expireSession(ClassicGroup group, String memberId, long deadline) {
        synchronized (group) {
            GroupMember member = group.member(memberId);
            if (member == null || member.heartbeatDeadlineMs() != deadline || group.is(GroupState.DEAD)) {
                return;
            }
            if (member.isAwaitingJoin() && group.is(GroupState.PREPARING_REBALANCE)) {
                return; // the rebalance timeout decides about members waiting in JoinGroup
            }
            log.info(
                    "Member {} of group {} expired: no heartbeat within {} ms",
                    memberId,
                    group.groupId(),
                    member.sessionTimeoutMs());
            removeMemberAndUpdateGroup(group, member, "member " + memberId + " session expired");
        }
    }

    private void expirePending(ClassicGroup group, String memberId) {
        synchronized (group) {
            if (group.pendingMembers().remove(memberId)) {
                maybeCompleteJoin(group);
            }
        }
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
            timer.cancel(heartbeatKey(group, m.memberId()));
        }
        for (String pending : group.pendingMembers()) {
            timer.cancel(pendingKey(group, pending));
        }
        timer.cancel(joinKey(group));
        group.transitionTo(GroupState.DEAD, time.milliseconds());
    }

    /** Writes the group's current metadata (with the members' current assignments). */
    CompletableFuture<Void> store(ClassicGroup group) {
        Map<String, byte[]> assignments = new HashMap<>();
        group.members().forEach(m -> assignments.put(m.memberId(), m.assignment()));
        return store(group, assignments);
    }

    private CompletableFuture<Void> store(ClassicGroup group, Map<String, byte[]> assignments) {
        List<MemberSnapshot> members = new ArrayList<>();
        for (GroupMember m : group.members()) {
            byte[] subscription = group.protocolName() == null ? null : m.metadata(group.protocolName());
            members.add(new MemberSnapshot(
                    m.memberId(),
                    m.groupInstanceId(),
                    m.clientId(),
                    m.clientHost(),
                    m.rebalanceTimeoutMs(),
                    m.sessionTimeoutMs(),
                    subscription == null ? new byte[0] : subscription,
                    assignments.getOrDefault(m.memberId(), new byte[0])));
        }
        GroupSnapshot snapshot = new GroupSnapshot(
                group.protocolType(),
                group.generationId(),
                group.protocolName(),
                group.leaderId(),
                group.stateTimestampMs(),
                members);
        return coordinatorLog.append(
                group.offsetsPartition(),
                List.of(GroupRecords.groupMetadata(group.groupId(), snapshot, time.milliseconds())));
    }

    private static boolean isFenced(ClassicGroup group, String groupInstanceId, String memberId) {
        if (groupInstanceId == null) {
            return false;
        }
        String current = group.staticMemberId(groupInstanceId);
        return current != null && !current.equals(memberId);
    }

    /** The error a client gets when writing group metadata failed, as Kafka maps it. */
    static Errors appendError(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause()
                : error;
        Errors e = Errors.forException(cause);
        return switch (e) {
            case UNKNOWN_TOPIC_OR_PARTITION,
                    NOT_ENOUGH_REPLICAS,
                    NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                    REQUEST_TIMED_OUT -> Errors.COORDINATOR_NOT_AVAILABLE;
            case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR -> Errors.NOT_COORDINATOR;
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE -> Errors.UNKNOWN_SERVER_ERROR;
            default -> e;
        };
    }

    private static String heartbeatKey(ClassicGroup group, String memberId) {
        return "heartbeat/" + group.groupId() + "/" + memberId;
    }

    private static String pendingKey(ClassicGroup group, String memberId) {
        return "pending/" + group.groupId() + "/" + memberId;
    }

    private static String joinKey(ClassicGroup group) {
        return "join/" + group.groupId();
    }

    private static <T> CompletableFuture<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
