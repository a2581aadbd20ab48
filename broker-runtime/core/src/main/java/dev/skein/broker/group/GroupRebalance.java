package dev.skein.broker.group;

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
 * The classic rebalance state machine: Empty → PreparingRebalance → CompletingRebalance → Stable
 * (→ PreparingRebalance ...), Dead when removed. It admits joining members (new, known, pending, static replacements),
 * completes the join phase when every member has rejoined or the rebalance timeout runs out (members that did not
 * rejoin are then removed, static members kept), hands out the leader's assignment once it is stored, and rebalances
 * when a member leaves or its session expires. The first rebalance of an empty group waits
 * {@code group.initial.rebalance.delay.ms}, extended while new members keep arriving, up to the rebalance timeout.
 *
 * <p>Threading: every method is called holding the group's monitor ({@code synchronized (group)}); timer tasks and
 * store callbacks take it themselves. Waiting JoinGroup/SyncGroup requests are futures kept on the member and
 * completed under that lock — no thread waits.
 */
final class GroupRebalance {
    private static final Logger log = LoggerFactory.getLogger(GroupRebalance.class);

    private final GroupConfig config;
    private final GroupTimer timer;
    private final Time time;
    private final GroupStore store;
    private final MemberSessions sessions;

    GroupRebalance(GroupConfig config, GroupTimer timer, Time time, GroupStore store) {
        this.config = config;
        this.timer = timer;
        this.time = time;
        this.store = store;
        // The sessions call back into this rebalance only from timer tasks, after construction.
        this.sessions = new MemberSessions(timer, time, this);
    }

    MemberSessions sessions() {
        return sessions;
    }

    void joinNewMember(ClassicGroup group, JoinGroupParams p, CompletableFuture<JoinGroupResult> result) {
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
            timer.schedule(
                    MemberSessions.pendingKey(group, memberId),
                    p.sessionTimeoutMs(),
                    () -> sessions.expirePending(group, memberId));
            result.complete(JoinGroupResult.error(Errors.MEMBER_ID_REQUIRED, memberId));
        } else {
            addMemberAndRebalance(group, memberId, p, result);
        }
    }

    void joinKnownMember(ClassicGroup group, JoinGroupParams p, CompletableFuture<JoinGroupResult> result) {
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
                timer.cancel(MemberSessions.pendingKey(group, memberId));
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
                    sessions.scheduleHeartbeat(group, member);
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
        timer.cancel(MemberSessions.heartbeatKey(group, oldMemberId));
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
            sessions.scheduleHeartbeat(group, replacement);
            JoinGroupResult answer = currentGeneration(group, replacement, leader);
            int generation = group.generationId();
            store.store(group).whenComplete((ignored, error) -> {
                synchronized (group) {
                    if (error == null || group.generationId() != generation) {
                        result.complete(answer);
                    } else {
                        result.complete(JoinGroupResult.error(GroupStore.appendError(error), newMemberId));
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

    void maybeCompleteJoin(ClassicGroup group) {
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
                timer.cancel(MemberSessions.heartbeatKey(group, member.memberId()));
                group.remove(member.memberId());
            }
        }
        group.initNextGeneration(time.milliseconds());
        if (group.is(GroupState.EMPTY)) {
            log.info("Group {} is empty in generation {}", group.groupId(), group.generationId());
            store.store(group);
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
            sessions.scheduleHeartbeat(group, member);
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

    void applyLeaderAssignment(ClassicGroup group, Map<String, byte[]> assignments) {
        Map<String, byte[]> complete = new HashMap<>();
        for (GroupMember m : group.members()) {
            byte[] assignment = assignments.get(m.memberId());
            complete.put(m.memberId(), assignment == null ? new byte[0] : assignment);
        }
        int generation = group.generationId();
        store.store(group, complete).whenComplete((ignored, error) -> {
            synchronized (group) {
                if (!group.is(GroupState.COMPLETING_REBALANCE) || group.generationId() != generation) {
                    return;
                }
                if (error != null) {
                    resetAndPropagate(group, GroupStore.appendError(error));
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

    void removeMemberAndUpdateGroup(ClassicGroup group, GroupMember member, String reason) {
        if (member.awaitingJoin() != null) {
            member.awaitingJoin().complete(JoinGroupResult.error(Errors.UNKNOWN_MEMBER_ID, member.memberId()));
            member.awaitingJoin(null);
        }
        if (member.awaitingSync() != null) {
            member.awaitingSync().complete(SyncGroupResult.error(Errors.UNKNOWN_MEMBER_ID));
            member.awaitingSync(null);
        }
        timer.cancel(MemberSessions.heartbeatKey(group, member.memberId()));
        group.remove(member.memberId());
        switch (group.state()) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance(group, reason);
            case PREPARING_REBALANCE -> maybeCompleteJoin(group);
            default -> {}
        }
    }

    static boolean isFenced(ClassicGroup group, String groupInstanceId, String memberId) {
        if (groupInstanceId == null) {
            return false;
        }
        String current = group.staticMemberId(groupInstanceId);
        return current != null && !current.equals(memberId);
    }

    static String joinKey(ClassicGroup group) {
        return "join/" + group.groupId();
    }
}
