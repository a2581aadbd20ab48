package dev.skein.broker.protocol;

import dev.skein.broker.group.GroupCoordinator;
import dev.skein.broker.group.SyncGroupParams;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;

/** SyncGroup v0-5: the leader hands in the assignment; every member waits (as a future) for its share. */
final class SyncGroupApi implements ApiHandler {
    private final GroupCoordinator coordinator;

    SyncGroupApi(GroupCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(RequestContext context, AbstractRequest request) {
        SyncGroupRequestData data = ((SyncGroupRequest) request).data();
        short version = context.apiVersion();
        Map<String, byte[]> assignments = new HashMap<>();
        data.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
        SyncGroupParams params = new SyncGroupParams(
                data.groupId(),
                data.memberId(),
                data.groupInstanceId(),
                data.generationId(),
                version >= 5 ? data.protocolType() : null,
                version >= 5 ? data.protocolName() : null,
                assignments);
        return coordinator.syncGroup(params).thenApply(result -> {
            SyncGroupResponseData response = new SyncGroupResponseData()
                    .setErrorCode(result.error().code())
                    .setAssignment(result.assignment());
            if (version >= 5) {
                response.setProtocolType(result.protocolType()).setProtocolName(result.protocolName());
            }
            return new SyncGroupResponse(response);
        });
    }
}
