package dev.skein.broker.group;

import java.util.List;
import org.apache.kafka.common.protocol.Errors;

/**
 * The answer to a JoinGroup. The leader gets every member with its metadata for the chosen protocol (unless
 * {@code skipAssignment}: a static leader that rejoined without a change keeps the current assignment); the others
 * get an empty member list.
 */
public record JoinGroupResult(
        Errors error,
        int generationId,
        String protocolType,
        String protocolName,
        String leaderId,
        String memberId,
        boolean skipAssignment,
        List<JoinedMember> members) {

    /** A member as the leader sees it for computing the assignment. */
    public record JoinedMember(String memberId, String groupInstanceId, byte[] metadata) {}

    static JoinGroupResult error(Errors error, String memberId) {
        return new JoinGroupResult(error, -1, null, null, "", memberId, false, List.of());
    }
}
