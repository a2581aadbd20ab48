package dev.skein.broker.protocol;

import dev.skein.broker.group.GroupCoordinator;
import dev.skein.broker.group.MemberIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;

/** LeaveGroup v0-5: one member (v0-2) or a batch of members, static ones by group instance id (v3+). */
final class LeaveGroupApi implements ApiHandler {
    private final GroupCoordinator coordinator;

    LeaveGroupApi(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        LeaveGroupRequest leave = (LeaveGroupRequest) request;
        LeaveGroupRequestData data = leave.data();
        short version = context.apiVersion();
        List<MemberIdentity> members = new ArrayList<>();
        leave.members().forEach(m -> members.add(new MemberIdentity(m.memberId(), m.groupInstanceId())));
        List<Errors> errors = coordinator.leaveGroup(data.groupId(), members);
        Errors topLevel = errors.get(0);
        if (version < 3) {
            Errors error = topLevel != Errors.NONE ? topLevel : errors.size() > 1 ? errors.get(1) : Errors.NONE;
            // v0-2 carry only a top-level error; the (data, version) constructor would demand exactly one member
            return CompletableFuture.completedFuture(
                    new LeaveGroupResponse(new LeaveGroupResponseData().setErrorCode(error.code())));
        }
        LeaveGroupResponseData response = new LeaveGroupResponseData().setErrorCode(topLevel.code());
        for (int i = 0; i < members.size() && i + 1 < errors.size(); i++) {
            response.members()
                    .add(new MemberResponse()
                            .setMemberId(members.get(i).memberId())
                            .setGroupInstanceId(members.get(i).groupInstanceId())
                            .setErrorCode(errors.get(i + 1).code()));
        }
        return CompletableFuture.completedFuture(new LeaveGroupResponse(response, version));
    }
}
