package dev.skein.broker.protocol;

import dev.skein.broker.group.GroupCoordinator;
import dev.skein.broker.group.GroupDescription;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;

/**
 * DescribeGroups v0-6. An unknown group is reported in state Dead: with GROUP_ID_NOT_FOUND from v6, without an error
 * before, as Kafka does. No ACLs yet, so authorized operations are not reported.
 */
final class DescribeGroupsApi implements ApiHandler {
    private final GroupCoordinator coordinator;

    DescribeGroupsApi(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        DescribeGroupsRequestData data = ((DescribeGroupsRequest) request).data();
        short version = context.apiVersion();
        DescribeGroupsResponseData response = new DescribeGroupsResponseData();
        for (String groupId : data.groups()) {
            GroupDescription d = coordinator.describeGroup(groupId);
            Errors error = d.error() == Errors.GROUP_ID_NOT_FOUND && version < 6 ? Errors.NONE : d.error();
            DescribedGroup group = new DescribedGroup()
                    .setGroupId(groupId)
                    .setErrorCode(error.code())
                    .setGroupState(d.state())
                    .setProtocolType(d.protocolType())
                    .setProtocolData(d.protocolName());
            if (version >= 6 && error != Errors.NONE) {
                group.setErrorMessage(error.message());
            }
            for (GroupDescription.Member m : d.members()) {
                DescribedGroupMember member = new DescribedGroupMember()
                        .setMemberId(m.memberId())
                        .setClientId(m.clientId())
                        .setClientHost(m.clientHost())
                        .setMemberMetadata(m.metadata())
                        .setMemberAssignment(m.assignment());
                if (version >= 4) {
                    member.setGroupInstanceId(m.groupInstanceId());
                }
                group.members().add(member);
            }
            response.groups().add(group);
        }
        return CompletableFuture.completedFuture(new DescribeGroupsResponse(response));
    }
}
