package dev.skein.broker.group;

import java.util.List;

/**
 * A JoinGroup request in the coordinator's terms.
 *
 * @param memberId "" for a member joining for the first time
 * @param groupInstanceId null for a dynamic member
 * @param requireKnownMemberId true from JoinGroup v4: a new dynamic member first gets MEMBER_ID_REQUIRED
 * @param supportsSkipAssignment true from JoinGroup v9
 */
public record JoinGroupParams(
        String groupId,
        String memberId,
        String groupInstanceId,
        String clientId,
        String clientHost,
        String protocolType,
        List<MemberProtocol> protocols,
        int sessionTimeoutMs,
        int rebalanceTimeoutMs,
        boolean requireKnownMemberId,
        boolean supportsSkipAssignment) {}
