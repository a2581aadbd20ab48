package dev.skein.broker.protocol;

import dev.skein.broker.group.GroupCoordinator;
import dev.skein.broker.group.JoinGroupParams;
import dev.skein.broker.group.JoinGroupResult;
import dev.skein.broker.group.MemberProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;

/**
 * JoinGroup v0-9. v4+ members first get MEMBER_ID_REQUIRED with their member id; v0 has no rebalance timeout, so
 * the session timeout serves as one. The response waits (as a future) until the rebalance completes.
 */
final class JoinGroupApi implements ApiHandler {
    private final GroupCoordinator coordinator;

    JoinGroupApi(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        JoinGroupRequestData data = ((JoinGroupRequest) request).data();
        short version = context.apiVersion();
        List<MemberProtocol> protocols = new ArrayList<>();
        data.protocols().forEach(p -> protocols.add(new MemberProtocol(p.name(), p.metadata())));
        int rebalanceTimeout = data.rebalanceTimeoutMs() < 0 ? data.sessionTimeoutMs() : data.rebalanceTimeoutMs();
        JoinGroupParams params = new JoinGroupParams(
                data.groupId(),
                data.memberId(),
                data.groupInstanceId(),
                context.header().clientId(),
                GroupApis.clientHost(context),
                data.protocolType(),
                protocols,
                data.sessionTimeoutMs(),
                rebalanceTimeout,
                version >= 4,
                version >= 9);
        return coordinator.joinGroup(params).thenApply(result -> response(result, version));
    }

    private static AbstractResponse response(JoinGroupResult result, short version) {
        JoinGroupResponseData data = new JoinGroupResponseData()
                .setErrorCode(result.error().code())
                .setGenerationId(result.generationId())
                .setProtocolName(result.protocolName() == null && version < 7 ? "" : result.protocolName())
                .setLeader(result.leaderId() == null ? "" : result.leaderId())
                .setMemberId(result.memberId() == null ? "" : result.memberId());
        if (version >= 7) {
            data.setProtocolType(result.protocolType());
        }
        if (version >= 9) {
            data.setSkipAssignment(result.skipAssignment());
        }
        for (JoinGroupResult.JoinedMember m : result.members()) {
            JoinGroupResponseMember member = new JoinGroupResponseMember()
                    .setMemberId(m.memberId())
                    .setMetadata(m.metadata() == null ? new byte[0] : m.metadata());
            if (version >= 5) {
                member.setGroupInstanceId(m.groupInstanceId());
            }
            data.members().add(member);
        }
        return new JoinGroupResponse(data, version);
    }
}
