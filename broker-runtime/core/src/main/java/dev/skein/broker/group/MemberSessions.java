package dev.skein.broker.group;

import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Member sessions of classic groups: each heartbeat (and JoinGroup/SyncGroup/OffsetCommit) restarts the member's
 * session timer; a member whose timer runs out is removed from its group, which rebalances ({@link GroupRebalance}).
 * A pending member (KIP-394: told MEMBER_ID_REQUIRED) that does not come back within its session timeout is forgotten.
 *
 * <p>Threading: {@link #scheduleHeartbeat} is called holding the group's monitor; the expiry tasks run on the
 * {@link GroupTimer}'s thread and take that monitor before touching the group.
 */
final class MemberSessions {
    private static final Logger log = LoggerFactory.getLogger(MemberSessions.class);

    private final GroupTimer timer;
    private final Time time;
    private final GroupRebalance rebalance;

    MemberSessions(GroupTimer timer, Time time, GroupRebalance rebalance) {
        this.timer = timer;
        this.time = time;
        this.rebalance = rebalance;
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
            rebalance.removeMemberAndUpdateGroup(group, member, "member " + memberId + " session expired");
        }
    }

    void expirePending(ClassicGroup group, String memberId) {
        synchronized (group) {
            if (group.pendingMembers().remove(memberId)) {
                rebalance.maybeCompleteJoin(group);
            }
        }
    }

    static String heartbeatKey(ClassicGroup group, String memberId) {
        return "heartbeat/" + group.groupId() + "/" + memberId;
    }

    static String pendingKey(ClassicGroup group, String memberId) {
        return "pending/" + group.groupId() + "/" + memberId;
    }
}
