package dev.skein.broker.group;

import java.util.List;
import org.apache.kafka.common.protocol.Errors;

/**
 * A group as DescribeGroups reports it. Members carry their metadata and assignment only while the group is Stable;
 * the protocol name is "" otherwise. An unknown group is {@code GROUP_ID_NOT_FOUND} in state Dead.
 */
public record GroupDescription(
        Errors error, String groupId, String state, String protocolType, String protocolName, List<Member> members) {

    public record Member(
            String memberId,
            String groupInstanceId,
            String clientId,
            String clientHost,
            byte[] metadata,
            byte[] assignment) {}
}
